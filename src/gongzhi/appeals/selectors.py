"""Reads for the appeal rules: the working-day calendar in force (loaded schedules, then chinese-calendar)."""

from __future__ import annotations

import datetime as dt

from gongzhi.appeals.models import HolidaySchedule
from gongzhi.appeals.workdays import ChainProvider, ChineseCalendarProvider, WorkCalendar, YearSchedule


class LoadedScheduleProvider:
    """Schedules an administrator loaded (HolidaySchedule rows); one query per year asked for."""

    def schedule(self, year: int) -> YearSchedule | None:
        rows = list(HolidaySchedule.objects.filter(year=year).values_list("date", "kind"))
        if not rows:
            return None
        return YearSchedule(
            year=year,
            holidays=frozenset(d for d, kind in rows if kind == HolidaySchedule.Kind.HOLIDAY),
            workdays=frozenset(d for d, kind in rows if kind == HolidaySchedule.Kind.WORKDAY),
            source="loaded",
        )


def work_calendar() -> WorkCalendar:
    """The calendar deadlines use: a loaded schedule, else chinese-calendar, else Monday–Friday (unofficial).

    Build one per request or sweep: it caches each year it reads, so a schedule loaded meanwhile is seen by the
    next calendar built, and deadlines computed from it are recomputed (deadlines.needs_recompute).
    """
    return WorkCalendar(ChainProvider(LoadedScheduleProvider(), ChineseCalendarProvider()))


def holiday_years_loaded() -> list[int]:
    return sorted(set(HolidaySchedule.objects.values_list("year", flat=True)))


def calendar_years(today: dt.date) -> list[dict[str, object]]:
    """This year, next year and every loaded year: is the calendar official, from where, how many days."""
    calendar = work_calendar()
    sources = dict(HolidaySchedule.objects.values_list("year", "source").distinct())
    years = sorted({today.year, today.year + 1, *holiday_years_loaded()})
    out = []
    for year in years:
        schedule = calendar.year(year)
        out.append(
            {
                "year": year,
                "official": schedule.official,
                "origin": schedule.source,  # chinese_calendar, loaded or weekdays_only
                "notice": sources.get(year, "") if schedule.source == "loaded" else "",
                "holidays": sorted(schedule.holidays),
                "workdays": sorted(schedule.workdays),
            }
        )
    return out


# --- appeal cases: scoped reads (issue 4 §1) -------------------------------------------------------------------

from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from django.db.models import Count, Q, QuerySet  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.access import filters  # noqa: E402
from gongzhi.access.capabilities import Action  # noqa: E402
from gongzhi.access.reach import reach_of  # noqa: E402
from gongzhi.access.selectors import not_found  # noqa: E402
from gongzhi.appeals.models import OPEN_STATE_VALUES, Appeal, AppealEvent  # noqa: E402

# Rungs below the community are handled by grid staff too: a grid role acts at these levels in its grid.
GRID_LEVELS = ("resident_group", "building", "compound")


def appeals_visible_to(user: Any, action: Action = Action.VIEW) -> QuerySet[Appeal]:
    """Cases in the user's reach (appeals.access: subtree, grid or own home) and the cases they submitted."""
    qs = Appeal.objects.select_related("place", "handling_node").order_by("-created_at", "-pk")
    q = filters.appeal_q(reach_of(user), action)
    if q is None:
        return qs
    if getattr(user, "is_authenticated", False):
        q |= Q(submitter=user)
    return qs.filter(q)


def appeal_get_for(user: Any, appeal_id: int) -> Appeal:
    """NotFound alike for a missing case and one out of the user's reach."""
    appeal = appeals_visible_to(user).filter(pk=appeal_id).first()
    if appeal is None:
        raise not_found()
    return appeal


def my_appeals(user: Any) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(submitter=user).select_related("place", "handling_node").order_by("-created_at")
    )


@dataclass(frozen=True)
class Seat:
    """One way the user may act on a case: a role held at a tree level (or "submitter")."""

    role: str
    level: str


def seats_for(user: Any, appeal: Appeal) -> list[Seat]:
    """The (role, level) pairs the user holds over the case's place, the submitter seat first."""
    from gongzhi.accounts.selectors import active_roles

    seats = [Seat("submitter", "")] if appeal.submitter_id and appeal.submitter_id == user.pk else []
    for ra in active_roles(user):
        if ra.node is not None and appeal.path.startswith(ra.scope_path):
            seats.append(Seat(ra.role, ra.node.level))
        elif ra.grid_id is not None and ra.grid_id == appeal.grid_id:
            seats += [Seat(ra.role, level) for level in GRID_LEVELS]
    return seats


def handler_users(appeal: Appeal, roles: Iterable[str], level: str) -> list[Any]:
    """Users who hold one of `roles` at `level` over the case's place today (who is notified)."""
    from django.contrib.auth import get_user_model

    from gongzhi.tree.models import Node

    today = timezone.localdate()
    prefixes = [appeal.path[:i] for i in range(Node.steplen, len(appeal.path) + 1, Node.steplen)]
    where = Q(role_assignments__node__path__in=prefixes, role_assignments__node__level=level)
    if level in GRID_LEVELS and appeal.grid_id is not None:
        where |= Q(role_assignments__grid_id=appeal.grid_id)
    active = Q(role_assignments__end__isnull=True) | Q(role_assignments__end__gte=today)
    return list(
        get_user_model()
        .objects.filter(
            where, active, role_assignments__role__in=list(roles), role_assignments__start__lte=today
        )
        .distinct()
    )


def handler_ids_many(wanted: Sequence[tuple[Appeal, Iterable[str], str]]) -> list[list[int]]:
    """`handler_users` for many cases at once, in one query: for each (case, roles, level), the ids of the users
    who hold one of `roles` at `level` over the case's place today (its rung's node, or its grid below the
    community), each once, in the order of the assignments read."""
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.tree.models import Node

    if not wanted:
        return []
    today = timezone.localdate()
    cases = [(appeal, frozenset(roles), level) for appeal, roles, level in wanted]
    paths = {a.path[:i] for a, _r, _l in cases for i in range(Node.steplen, len(a.path) + 1, Node.steplen)}
    grids = {a.grid_id for a, _r, level in cases if level in GRID_LEVELS and a.grid_id is not None}
    where = Q(node__path__in=paths)
    if grids:
        where |= Q(grid_id__in=grids)
    active = Q(end__isnull=True) | Q(end__gte=today)
    rows = (
        RoleAssignment.objects.filter(
            where, active, role__in={r for _a, roles, _l in cases for r in roles}, start__lte=today
        )
        .order_by("pk")
        .values_list("user_id", "role", "node__path", "node__level", "grid_id")
    )
    on_node: dict[tuple[str, str], list[tuple[int, str]]] = {}  # (path, level) → (user, role)
    on_grid: dict[int, list[tuple[int, str]]] = {}
    for user_id, role, path, node_level, grid_id in rows:
        if path is not None:
            on_node.setdefault((path, node_level), []).append((user_id, role))
        if grid_id is not None:
            on_grid.setdefault(grid_id, []).append((user_id, role))
    out = []
    for appeal, roles, level in cases:
        held = [
            held
            for i in range(Node.steplen, len(appeal.path) + 1, Node.steplen)
            for held in on_node.get((appeal.path[:i], level), ())
        ]
        if level in GRID_LEVELS and appeal.grid_id is not None:
            held += on_grid.get(appeal.grid_id, [])
        out.append(list(dict.fromkeys(user_id for user_id, role in held if role in roles)))
    return out


def timeline(appeal: Appeal) -> QuerySet[AppealEvent]:
    return AppealEvent.objects.filter(appeal=appeal).order_by("at", "pk")


def queue_counts(qs: QuerySet[Appeal]) -> dict[str, int]:
    return dict(qs.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))


def work_queue(user: Any, state: str = "") -> QuerySet[Appeal]:
    """Open cases in the user's reach (a handler's queue), or those in one state."""
    qs = appeals_visible_to(user)
    return qs.filter(state=state) if state else qs.filter(state__in=OPEN_STATE_VALUES)


def board(node: Any) -> QuerySet[Appeal]:
    """Cases of a compound or community for its board: anonymised by the page (BZ-5.2.2(a))."""
    return (
        Appeal.objects.filter(path__startswith=node.path)
        .exclude(state="merged")
        .select_related("place")
        .order_by("-created_at")
    )
