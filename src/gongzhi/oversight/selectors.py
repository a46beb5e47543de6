"""Reads for the dashboards and the street's weekly agenda (issue 4 §3). The database groups and counts
(values() + annotate(), a handful of queries per dashboard, never a row per case); oversight.metrics does the
arithmetic on the grouped rows.

`dashboard(node, period)` is what the pages, the API and `make bench` (dashboard_district_p95_ms) call. For a
district, street or community it reads the roll-up (oversight.rollup: counts per node and day, refreshed from
the cases that changed); below the community it groups the cases themselves, on `path LIKE '<node path>%'`
and the submission time (index appeal_path_created of appeals migration 0003).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.reach import reach_of
from gongzhi.access.selectors import node_get_for, not_found
from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.oversight import metrics, rollup
from gongzhi.oversight.presentation import UnitAppeals
from gongzhi.tree.models import Node

# Timeline transitions that move a case to another rung (an escalation, a triage, a dissatisfied submitter).
MOVES = ("escalate", "request_escalation", "triage")
# BZ-5.2.4.1: the weekly meeting's day, when a pack names one (0 = Monday); none does yet, so Monday.
MEETING_WEEKDAY_KEY = "meeting.street_weekly_meeting.weekday"


def dashboard_node_for(user: Any, node_id: int) -> Node:
    """A node whose dashboards the user may see: staff whose scope covers it; NotFound for anybody else."""
    node: Node = node_get_for(user, node_id)
    if not may_see_dashboard(user, node):
        raise not_found()
    return node


def agenda_street_for(user: Any, node_id: int) -> Node:
    node = dashboard_node_for(user, node_id)
    if node.level != "street":
        raise not_found()
    return node


def may_see_dashboard(user: Any, node: Node) -> bool:
    return reach_of(user).covers_path(Kind.DASHBOARD, Action.VIEW, node.path)


def may_see_dashboards(user: Any) -> bool:
    """For the navigation bar: the user holds a role with dashboards somewhere."""
    return reach_of(user).anywhere(Kind.DASHBOARD, Action.VIEW)


def dashboard_home_nodes(user: Any) -> QuerySet[Node]:
    """The nodes whose dashboards a user's roles open on (their scopes; the roots for an administrator)."""
    reach = reach_of(user)
    if reach.superuser:
        return Node.objects.get_root_nodes()
    return Node.objects.filter(path__in=reach.node_paths(Kind.DASHBOARD, Action.VIEW)).order_by("path")


# --- time -------------------------------------------------------------------------------------------------------


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def bounds(period: metrics.Period) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) as aware times: local midnight of the first day to local midnight after the last."""
    return midnight(period.start), midnight(period.end + dt.timedelta(days=1))


def local_date(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


# --- appeals ----------------------------------------------------------------------------------------------------


def cohort(node: Node, period: metrics.Period) -> QuerySet[Appeal]:
    """The appeals submitted in the period at or under the node, merged duplicates left out."""
    start, end = bounds(period)
    return (
        Appeal.objects.filter(path__startswith=node.path, created_at__gte=start, created_at__lt=end)
        .exclude(state="merged")
        .order_by()
    )


def deadline_kept() -> tuple[Case, Case]:
    """(on time, has a due date) as expressions; `resolved_on` must be annotated (the local resolution day).
    Resolved on its due date itself is on time."""
    on_time = Case(
        When(Q(resolved_at__isnull=False, due_date__isnull=False, resolved_on__lte=F("due_date")), then=True),
        default=Value(False),
        output_field=BooleanField(),
    )
    has_due = Case(When(due_date__isnull=False, then=True), default=Value(False), output_field=BooleanField())
    return on_time, has_due


def case_groups(qs: QuerySet[Appeal]) -> list[metrics.CaseGroup]:
    """One query: counts per level, state, category, rating, overdue flag and deadline kept or not."""
    on_time, has_due = deadline_kept()
    rows = (
        qs.annotate(resolved_on=local_date("resolved_at"))
        .annotate(on_time=on_time, has_due=has_due)
        .values("level", "state", "category", "rating", "overdue", "on_time", "has_due")
        .annotate(n=Count("pk"))
    )
    return [
        metrics.CaseGroup(
            level=r["level"],
            state=r["state"],
            category=r["category"],
            count=r["n"],
            rating=r["rating"],
            on_time=bool(r["on_time"]) if r["state"] in metrics.RESOLVED_STATES and r["has_due"] else None,
            has_due=bool(r["has_due"]),
            overdue=bool(r["overdue"]),
        )
        for r in rows
    ]


def resolve_day_pairs(qs: QuerySet[Appeal]) -> list[tuple[dt.date, dt.date, int]]:
    """One query: (submitted on, resolved on, cases) for the resolved cases, local dates."""
    rows = (
        qs.filter(state__in=metrics.RESOLVED_STATES, resolved_at__isnull=False)
        .annotate(submitted_on=local_date("created_at"), resolved_on=local_date("resolved_at"))
        .values_list("submitted_on", "resolved_on")
        .annotate(n=Count("pk"))
    )
    return [(a, b, n) for a, b, n in rows]


@functools.cache
def step_levels(city: str) -> dict[tuple[str, str], str]:
    """(track, rung code) → tree level, from the city's pack (the rungs' levels do not change at run time)."""
    from gongzhi.appeals.errors import AppealRuleError
    from gongzhi.appeals.ladder import city_ladders
    from gongzhi.policy.packs import pack_policy

    try:
        ladders = city_ladders(pack_policy(city), city)
    except AppealRuleError:
        return {}
    return {(track, s.code): s.level for track, lad in ladders.tracks.items() for s in lad.steps}


def moves(node: Node, period: metrics.Period) -> list[tuple[str, str, int]]:
    """One query: the cohort's moves between rungs, as (from level, to level, how many)."""
    start, end = bounds(period)
    rows = (
        AppealEvent.objects.filter(
            transition__in=MOVES,
            at__gte=start,  # a case's moves come after its submission: lets the (transition, at) index help
            appeal__path__startswith=node.path,
            appeal__created_at__gte=start,
            appeal__created_at__lt=end,
        )
        .exclude(appeal__state="merged")
        .exclude(from_step=F("to_step"))
        .values_list("appeal__city", "appeal__track", "from_step", "to_step")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = []
    for city, track, source, target, n in rows:
        levels = step_levels(city)
        if (track, source) in levels and (track, target) in levels:
            out.append((levels[(track, source)], levels[(track, target)], n))
    return out


def _workdays_counter(pairs: list[tuple[dt.date, dt.date, int]]) -> tuple[Any, bool]:
    """workdays_between over the pairs' span from one pass over the calendar, and whether it is official."""
    from gongzhi.appeals.selectors import work_calendar

    if not pairs:
        return (lambda a, b: 0), True
    calendar = work_calendar()
    first = min(a for a, _, _ in pairs)
    last = max(b for _, b, _ in pairs)
    cumulative: dict[dt.date, int] = {}
    count, day = 0, first
    while day <= last:
        count += calendar.is_workday(day)
        cumulative[day] = count
        day += dt.timedelta(days=1)

    def between(a: dt.date, b: dt.date) -> int:
        return cumulative[b] - cumulative[a] if b > a else 0

    return between, not calendar.unofficial_years(first, last)


# --- directives -------------------------------------------------------------------------------------------------


def unit_completion(node: Node, period: metrics.Period, today: dt.date) -> list[dict[str, Any]]:
    """One query: per receiving unit at or under the node, its assignments due in the period (BZ-7.2)."""
    from gongzhi.directives.models import Assignment
    from gongzhi.directives.rules import State

    done = Q(state=State.COMPLETED)
    rows = (
        Assignment.objects.filter(
            path__startswith=node.path, due_date__gte=period.start, due_date__lte=period.end
        )
        .values("node_id", "node__name", "node__level", "path")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=done & Q(completed_on__lte=F("due_date"))),
            late=Count("pk", filter=done & Q(completed_on__gt=F("due_date"))),
            overdue_open=Count("pk", filter=~done & Q(due_date__lt=today)),
        )
        .order_by("path")
    )
    return [
        {
            "unit": metrics.UnitCompletion(
                r["node_id"], r["due"], r["on_time"], r["late"], r["overdue_open"]
            ),
            "name": r["node__name"],
            "level": r["node__level"],
        }
        for r in rows
    ]


# --- the dashboard ----------------------------------------------------------------------------------------------


def _rating_rules(node: Node) -> tuple[int, int]:
    from gongzhi.appeals.lifecycle import case_rules
    from gongzhi.policy.selectors import effective_policy

    rules = case_rules(effective_policy(node))
    return rules.rating_max, rules.satisfied_min


def _inputs(node: Node, period: metrics.Period) -> dict[str, Any]:
    """The grouped rows a summary is made of: from the roll-up down to the community, else from the cases."""
    if rollup.covers(node):
        inputs = rollup.summary_inputs(node, period)
        open_overdue = cohort(node, period).filter(state__in=metrics.OPEN_STATES, overdue=True).count()
    else:
        qs = cohort(node, period)
        inputs = {"groups": case_groups(qs), "pairs": resolve_day_pairs(qs), "moves": moves(node, period)}
        open_overdue = None
    return {**inputs, "open_overdue": open_overdue}


def _summary(node: Node, inputs: dict[str, Any]) -> metrics.AppealSummary:
    summary = metrics.summarise(inputs["groups"], *_rating_rules(node))
    if (
        inputs["open_overdue"] is not None
    ):  # the roll-up does not keep the overdue flag (see oversight.rollup)
        summary = replace(summary, open_overdue=inputs["open_overdue"])
    return summary


def dashboard(node: Node, period: metrics.Period, today: dt.date | None = None) -> dict[str, Any]:
    """Every figure of a node's dashboard for a period (issue 4 §3), from a handful of grouped queries.

    Keys: node, period, appeals (metrics.AppealSummary), median_days (working days, a Fraction or None),
    calendar_official, flow (metrics.Flow), units (directives' completion per receiving unit).
    """
    today = today or timezone.localdate()
    inputs = _inputs(node, period)
    summary = _summary(node, inputs)
    between, official = _workdays_counter(inputs["pairs"])
    return {
        "node": node,
        "period": period,
        "appeals": summary,
        "median_days": metrics.resolve_days(inputs["pairs"], between),
        "calendar_official": official,
        "flow": metrics.flow(inputs["moves"], summary.resolved_by_level, summary.open_by_level),
        "units": unit_completion(node, period, today),
    }


def unit_appeals(node: Node, period: metrics.Period) -> UnitAppeals:
    """For the BZ-7.2 assessment of one unit (directives.reports): its appeals of the period resolved at or
    below its own level, and their satisfaction."""
    summary = _summary(node, _inputs(node, period))
    here = sum(n for lv, n in summary.resolved_by_level.items() if metrics.at_or_below(lv, node.level))
    return UnitAppeals(summary.resolved, here, summary.satisfaction)


# --- the street's weekly meeting agenda (BZ-5.2.4.1(b)) ---------------------------------------------------------


def meeting_weekday(street: Node) -> int:
    from gongzhi.policy.effective import UnknownPolicyKey
    from gongzhi.policy.selectors import effective_policy

    try:
        found = effective_policy(street).get(MEETING_WEEKDAY_KEY)
    except UnknownPolicyKey:  # no pack declares the day yet (BZ-5.2.4.1 says only "weekly")
        return 0
    value = getattr(found, "value", None)
    return value if isinstance(value, int) and 0 <= value <= 6 else 0


def _escalated_from_community(cases: list[Appeal]) -> dict[int, dt.datetime]:
    """Of cases now at the street, those whose last move there came from a community rung: id → arrival."""
    last: dict[int, AppealEvent] = {}
    events = AppealEvent.objects.filter(
        appeal_id__in=[a.pk for a in cases], transition__in=("escalate", "request_escalation")
    ).order_by("at", "pk")
    for event in events.only("appeal_id", "at", "from_step", "to_step"):
        last[event.appeal_id] = event
    city = {a.pk: (a.city, a.track, a.step) for a in cases}
    out = {}
    for pk, event in last.items():
        c, track, step = city[pk]
        level = step_levels(c).get((track, event.from_step))
        if event.to_step == step and level == "community":
            out[pk] = event.at
    return out


def weekly_agenda(street: Node, meeting: dt.date) -> list[metrics.AgendaItem]:
    """Unresolved appeals the communities escalated to the street, waiting by the meeting day, as common
    problems: linked cases (the appeals app's link_group) together, the others by category."""
    cutoff = midnight(meeting + dt.timedelta(days=1))
    cases = list(
        Appeal.objects.filter(
            path__startswith=street.path,
            level="street",
            state__in=metrics.OPEN_STATES,
            arrived_at__lt=cutoff,
        ).only("pk", "city", "track", "step", "category", "path", "link_group", "due_date", "overdue")
    )
    arrived = _escalated_from_community(cases)
    steplen = Node.steplen
    community_of = dict(
        Node.objects.filter(path__in={a.path[: 3 * steplen] for a in cases}).values_list("path", "name")
    )
    waiting = [
        metrics.WaitingCase(
            id=a.pk,
            category=a.category,
            community=community_of.get(a.path[: 3 * steplen], "—"),
            problem=metrics.problem_key(a.category, a.link_group),
            waiting_since=timezone.localdate(arrived[a.pk]),
            due_date=a.due_date,
            overdue=a.overdue,
        )
        for a in cases
        if a.pk in arrived
    ]
    return metrics.agenda(waiting, meeting)
