"""The dashboards' roll-up: appeals per district, street and community and day of submission (issue 4 §3, and
`make bench`'s dashboard_district_p95_ms over 2,000,000 appeals under one district).

Grouping every case of a district's quarter on each request costs a scan of every case; the roll-up keeps the
same groups per node and day (oversight.models.AppealRollup), so a dashboard sums a few rows per day instead.
It is derived data, never edited by hand: `refresh()` rebuilds, from the appeals themselves, every day of
submission in which some case changed since it last looked (Appeal.updated_at, with a margin for
transactions that committed late), and the dashboards call it before reading, so they are never behind the
cases. The first refresh on a database full of cases rebuilds everything in one grouped pass per level
(`gongzhi oversight_refresh` does it ahead, e.g. after a bulk load).

Nodes below the community (a compound, a building) are small: their dashboards group the cases directly.
The "overdue" flag is set by the sweep without touching updated_at, so open overdue cases are counted live.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Length, Substr

from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.oversight import metrics
from gongzhi.oversight.models import AppealRollup, RollupMark
from gongzhi.tree.models import Node

DEPTHS = (1, 2, 3)  # district, street, community
LATE_COMMIT_MARGIN = dt.timedelta(minutes=10)
FULL_REBUILD_DAYS = 90  # more changed days than this: rebuild everything in one pass


def covers(node: Node) -> bool:
    return len(node.path) <= DEPTHS[-1] * Node.steplen


# --- refreshing -------------------------------------------------------------------------------------------------


def _mark() -> RollupMark:
    mark = RollupMark.objects.filter(pk=1).first()
    if mark is not None:
        return mark
    try:
        with transaction.atomic():
            return RollupMark.objects.create(pk=1)
    except IntegrityError:  # another request created it at the same moment
        return RollupMark.objects.get(pk=1)


def latest_change() -> dt.datetime | None:
    latest: dt.datetime | None = Appeal.objects.aggregate(m=Max("updated_at"))["m"]
    return latest


def refresh() -> int | None:
    """Bring the roll-up up to date; the number of days rebuilt (None: all of them, 0: nothing changed)."""
    latest = latest_change()
    seen = _mark().seen_until
    if latest is None or (seen is not None and latest <= seen):
        return 0
    with transaction.atomic():
        mark = RollupMark.objects.select_for_update().get(pk=1)  # one refresh at a time; the other waits
        latest = latest_change()
        if latest is None or (mark.seen_until is not None and latest <= mark.seen_until):
            return 0  # the other one did it meanwhile
        days = None if mark.seen_until is None else _changed_days(mark.seen_until - LATE_COMMIT_MARGIN)
        if days is not None and len(days) > FULL_REBUILD_DAYS:
            days = None
        rebuild(days)
        mark.seen_until = latest
        mark.save(update_fields=["seen_until"])
    return None if days is None else len(days)


def _changed_days(since: dt.datetime) -> list[dt.date]:
    from gongzhi.oversight.selectors import local_date

    rows = (
        Appeal.objects.filter(updated_at__gt=since)
        .annotate(day=local_date("created_at"))
        .values_list("day", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(set(rows))


def _on_days(days: list[dt.date] | None, field: str = "created_at") -> Q:
    from gongzhi.oversight.selectors import midnight

    if days is None:
        return Q()
    where = Q(pk__in=[])
    for day in days:
        where |= Q(**{f"{field}__gte": midnight(day), f"{field}__lt": midnight(day + dt.timedelta(days=1))})
    return where


@transaction.atomic
def rebuild(days: list[dt.date] | None = None) -> None:
    """Recompute the roll-up of these days of submission (None: every day) from the cases."""
    stale = AppealRollup.objects.all() if days is None else AppealRollup.objects.filter(day__in=days)
    stale.delete()
    for depth in DEPTHS:
        length = depth * Node.steplen
        cases = (
            Appeal.objects.filter(_on_days(days))
            .exclude(state="merged")
            .annotate(path_length=Length("path"))
            .filter(path_length__gte=length)
            .annotate(node=Substr("path", 1, length))
            .order_by()
        )
        rows = [*_case_rows(cases), *_days_rows(cases), *_move_rows(days, length)]
        AppealRollup.objects.bulk_create(rows, batch_size=2000)


def _case_rows(cases: QuerySet[Appeal]) -> Iterable[AppealRollup]:
    from gongzhi.oversight.selectors import deadline_kept, local_date

    on_time, has_due = deadline_kept()
    grouped = (
        cases.annotate(day=local_date("created_at"), resolved_on=local_date("resolved_at"))
        .annotate(on_time=on_time, has_due=has_due)
        .values("node", "day", "level", "state", "category", "rating", "on_time", "has_due")
        .annotate(n=Count("pk"))
    )
    for r in grouped:
        yield AppealRollup(
            path=r["node"], day=r["day"], kind="case", level=r["level"], state=r["state"],
            category=r["category"], rating=r["rating"], on_time=bool(r["on_time"]), has_due=bool(r["has_due"]),
            n=r["n"],
        )  # fmt: skip


def _days_rows(cases: QuerySet[Appeal]) -> Iterable[AppealRollup]:
    from gongzhi.oversight.selectors import local_date

    grouped = (
        cases.filter(state__in=metrics.RESOLVED_STATES, resolved_at__isnull=False)
        .annotate(day=local_date("created_at"), resolved_on=local_date("resolved_at"))
        .values_list("node", "day", "resolved_on")
        .annotate(n=Count("pk"))
    )
    for node, day, resolved_on, n in grouped:
        yield AppealRollup(path=node, day=day, kind="days", resolved_on=resolved_on, n=n)


def _move_rows(days: list[dt.date] | None, length: int) -> Iterable[AppealRollup]:
    from gongzhi.oversight.selectors import MOVES, local_date, step_levels

    grouped = (
        AppealEvent.objects.filter(_on_days(days, "appeal__created_at"), transition__in=MOVES)
        .exclude(appeal__state="merged")
        .exclude(from_step=F("to_step"))
        .annotate(path_length=Length("appeal__path"))
        .filter(path_length__gte=length)
        .annotate(node=Substr("appeal__path", 1, length), day=local_date("appeal__created_at"))
        .values_list("node", "day", "appeal__city", "appeal__track", "from_step", "to_step")
        .annotate(n=Count("pk"))
        .order_by()
    )
    moves: dict[tuple[str, dt.date, str, str], int] = defaultdict(int)
    for node, day, city, track, source, target, n in grouped:
        levels = step_levels(city)
        if (track, source) in levels and (track, target) in levels:
            moves[(node, day, levels[(track, source)], levels[(track, target)])] += n
    for (node, day, source, target), n in moves.items():
        yield AppealRollup(path=node, day=day, kind="move", level=source, to_level=target, n=n)


# --- reading ----------------------------------------------------------------------------------------------------


def _of(node: Node, period: metrics.Period, kind: str) -> QuerySet[AppealRollup]:
    return AppealRollup.objects.filter(path=node.path, kind=kind, day__gte=period.start, day__lte=period.end)


def case_groups(node: Node, period: metrics.Period) -> list[metrics.CaseGroup]:
    rows = (
        _of(node, period, "case")
        .values("level", "state", "category", "rating", "on_time", "has_due")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return [
        metrics.CaseGroup(
            level=r["level"],
            state=r["state"],
            category=r["category"],
            count=r["total"],
            rating=r["rating"],
            on_time=r["on_time"] if r["state"] in metrics.RESOLVED_STATES and r["has_due"] else None,
            has_due=r["has_due"],
        )
        for r in rows
    ]


def resolve_day_pairs(node: Node, period: metrics.Period) -> list[tuple[dt.date, dt.date, int]]:
    rows = _of(node, period, "days").values_list("day", "resolved_on").annotate(total=Sum("n")).order_by()
    return [(a, b, n) for a, b, n in rows]


def moves(node: Node, period: metrics.Period) -> list[tuple[str, str, int]]:
    rows = _of(node, period, "move").values_list("level", "to_level").annotate(total=Sum("n")).order_by()
    return [(a, b, n) for a, b, n in rows]


def summary_inputs(node: Node, period: metrics.Period) -> dict[str, Any]:
    refresh()
    return {
        "groups": case_groups(node, period),
        "pairs": resolve_day_pairs(node, period),
        "moves": moves(node, period),
    }
