"""Write path of this slice: loading a year's official holiday schedule (audited in the same transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import user_error
from gongzhi.appeals.models import HolidaySchedule
from gongzhi.appeals.workdays import ChineseCalendarProvider, check_schedule
from gongzhi.audit.services import audit_record

SOURCE_MAX = 300


def _summary(rows: Iterable[HolidaySchedule]) -> dict[str, Any]:
    rows = list(rows)
    return {
        "holidays": [r.date for r in rows if r.kind == HolidaySchedule.Kind.HOLIDAY],
        "workdays": [r.date for r in rows if r.kind == HolidaySchedule.Kind.WORKDAY],
        "source": rows[0].source if rows else "",
    }


def _checked(
    year: int, holidays: Iterable[dt.date], workdays: Iterable[dt.date], source: str, replace_official: bool
) -> tuple[frozenset[dt.date], frozenset[dt.date], str]:
    source = (source or "").strip()
    try:
        if not source:
            raise AppealRuleError("source_required")
        if len(source) > SOURCE_MAX:
            raise AppealRuleError("source_too_long")
        hol, work = frozenset(holidays), frozenset(workdays)
        check_schedule(year, hol, work)
        if not replace_official and ChineseCalendarProvider().schedule(year) is not None:
            raise AppealRuleError("year_already_official", year=year)
    except AppealRuleError as exc:
        raise user_error(exc) from exc
    return hol, work, source


@transaction.atomic
def holiday_schedule_load(
    *,
    actor: Any,
    year: int,
    holidays: Iterable[dt.date],
    workdays: Iterable[dt.date],
    source: str,
    replace_official: bool = False,
) -> list[HolidaySchedule]:
    """Load (or replace) the State Council's schedule for `year`: its holidays and make-up working days.

    Preconditions: `actor` is a superuser (None only from the command line); every date is in `year`, no date
    is both kinds, make-up working days fall on a Saturday or Sunday, at least one holiday; `source` names the
    notice. A year chinese-calendar already knows is refused unless `replace_official` (a correction).
    Replaces any schedule loaded before for that year; deadlines built afterwards use it, and the open cases
    whose deadline was counted Monday–Friday into that year are recomputed in the same transaction
    (appeals.cases.appeals_recompute_deadlines).
    """
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise user_error(AppealRuleError("admin_only", kind="forbidden"))
    hol, work, source = _checked(year, holidays, workdays, source, replace_official)
    old = list(HolidaySchedule.objects.select_for_update().filter(year=year))
    before = _summary(old) if old else None
    HolidaySchedule.objects.filter(year=year).delete()
    now = timezone.now()
    rows = HolidaySchedule.objects.bulk_create(
        [
            HolidaySchedule(year=year, date=d, kind=kind, source=source, loaded_by=actor, loaded_at=now)
            for kind, days in (("holiday", hol), ("workday", work))
            for d in sorted(days)
        ]
    )
    rows.sort(key=lambda r: r.date)
    audit_record(
        actor=actor,
        action="appeals.holiday_schedule_loaded",
        obj=HolidaySchedule.objects.get(date=rows[0].date),
        before=before,
        after={"year": year, **_summary(rows)},
    )
    # Imported here: appeals.cases reads the calendar this module writes.
    from gongzhi.appeals.cases import appeals_recompute_deadlines

    appeals_recompute_deadlines(actor=actor, year=year)
    return rows
