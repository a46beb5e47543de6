"""BZ-7.2 "一月一调度，一季一考核": the monthly dispatch of every open directive by unit, and the quarterly
assessment per unit, as rows for the page and as xlsx. Scoped to the assignments the user sees.

The assessment's appeals figures (resolved at or below the unit's level, satisfaction, §5 #27) come from the
appeals submitted in the quarter under the unit, counted by gongzhi.oversight (selectors and metrics).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.access import filters
from gongzhi.access.capabilities import Action
from gongzhi.access.reach import reach_of
from gongzhi.directives import rules
from gongzhi.directives.models import Assignment
from gongzhi.directives.selectors import _unit
from gongzhi.oversight.presentation import UnitAppeals
from gongzhi.tree.models import Node


def _visible(user: Any) -> Any:
    qs = Assignment.objects.select_related("node", "directive", "directive__node")
    q = filters.assignment_q(reach_of(user), Action.VIEW, 3 * Node.steplen)
    return qs if q is None else qs.filter(q)


@dataclass(frozen=True)
class DispatchRow:
    unit: str
    unit_path: str
    directive: str
    directive_id: int
    issued_by: str
    due_date: dt.date
    state: str
    percent: int
    overdue: bool


def monthly_dispatch(user: Any, year: int, month: int, today: dt.date) -> list[DispatchRow]:
    """Every assignment open at the end of the month (or now, for the current month), by unit."""
    first, last = rules.month_bounds(year, month)
    cut = min(last, today)
    qs = (
        _visible(user)
        .filter(directive__issued_at__date__lte=cut)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=cut))
    )
    rows = []
    for a in qs.order_by("path", "due_date", "pk"):
        rows.append(
            DispatchRow(
                a.node.name,
                a.path,
                a.directive.title,
                a.directive_id,
                a.directive.node.name,
                a.due_date,
                str(a.get_state_display()) if a.completed_on is None else _("completed later"),
                a.percent,
                cut > a.due_date,
            )
        )
    return rows


@dataclass(frozen=True)
class AssessmentRow:
    unit: str
    unit_path: str
    result: rules.Assessment
    appeals: UnitAppeals | None = None


def _unit_appeals(node: Node, start: dt.date, end: dt.date) -> UnitAppeals:
    from gongzhi.oversight.metrics import Period
    from gongzhi.oversight.selectors import unit_appeals

    return unit_appeals(node, Period("quarter", start, end))


def quarterly_assessment(user: Any, year: int, quarter: int, today: dt.date) -> list[AssessmentRow]:
    """Per unit, its assignments due in the quarter: on time, late, open past due (BZ-7.2)."""
    start, end = rules.quarter_bounds(year, quarter)
    by_unit: dict[int, tuple[Node, list[rules.Unit]]] = {}
    for a in _visible(user).filter(due_date__gte=start, due_date__lte=end).order_by("path"):
        by_unit.setdefault(a.node_id, (a.node, []))[1].append(_unit(a))
    return [
        AssessmentRow(
            node.name, node.path, rules.assess(units, start, end, today), _unit_appeals(node, start, end)
        )
        for node, units in sorted(by_unit.values(), key=lambda t: t[0].path)
    ]


def percent_text(rate: Any) -> str:
    """An exact rate as a percent with one decimal, rounded half up; "—" when nothing was due."""
    if rate is None:
        return "—"
    tenths = (rate * 1000 * 2 + 1) // 2
    return f"{tenths // 10}.{tenths % 10}%"


def _workbook(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def dispatch_xlsx(rows: list[DispatchRow]) -> bytes:
    header = [
        _("Receiving unit"),
        _("Directive"),
        _("Issued by"),
        _("Due date"),
        _("State"),
        _("Percent done"),
        _("Overdue"),
    ]
    body = [
        [r.unit, r.directive, r.issued_by, r.due_date, r.state, r.percent, _("overdue") if r.overdue else ""]
        for r in rows
    ]
    return _workbook(_("Monthly dispatch"), header, body)


def not_available() -> str:
    return _("not yet available (no appeals data)")


def assessment_xlsx(rows: list[AssessmentRow]) -> bytes:
    header = [
        _("Receiving unit"),
        _("Due in the quarter"),
        _("Completed on time"),
        _("Completed late"),
        _("Open past due"),
        _("Not yet due"),
        _("On-time completion rate"),
        _("Appeals resolved at or below this level"),
        _("Satisfaction"),
    ]
    body = [
        [
            r.unit,
            r.result.due,
            r.result.on_time,
            r.result.late,
            r.result.overdue_open,
            r.result.pending,
            percent_text(r.result.rate),
            r.appeals.resolved_text if r.appeals else not_available(),
            r.appeals.satisfaction_text if r.appeals else not_available(),
        ]
        for r in rows
    ]
    return _workbook(_("Quarterly assessment"), header, body)
