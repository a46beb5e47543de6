"""The dashboards' arithmetic (issue 4 §3), pure Python: periods, rates, the median, satisfaction, the flow
of appeals from level to level, and the street's weekly agenda groups. No Django import.

The selectors hand in rows the database has already grouped (a count per combination of level, state,
rating, …), never one row per case, so everything here is "weighted": each row carries its count.

Definitions (shown on the page next to each number):
- The appeals of a period are those *submitted* in it (a cohort); merged duplicates are not counted.
- Resolved: a written resolution was given (states resolved, closed, closed_no_response); the level it was
  resolved at is the case's level then. "At or below community" counts community, compound, resident group,
  cluster, building and stairwell (BZ-3.1: resolve it where it arises).
- On time: resolved on or before its due date at the level that resolved it (Asia/Shanghai dates); a level
  without a deadline in the pack counts as "no deadline", outside the rate.
- Time to resolve: working days from the day of submission (not counted) to the day of resolution (counted),
  on the official calendar (appeals.workdays); the median of an even count is the mean of the middle two.
- Satisfaction (§5 #27): the ratings 1–5 given when closing; "no response" closings are counted apart and
  never as a rating; cases resolved and still waiting for the submitter are counted apart too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

# Tree levels from the top down (tree.levels.Level); the community is where BZ wants most cases to end.
LEVELS_TOP_DOWN: tuple[str, ...] = (
    "district",
    "street",
    "community",
    "compound",
    "resident_group",
    "cluster",
    "building",
    "stairwell",
)
COMMUNITY = "community"
RESOLVED_STATES = frozenset({"resolved", "closed", "closed_no_response"})
OPEN_STATES = frozenset({"submitted", "in_progress", "awaiting_info"})
PERIOD_KINDS = ("month", "quarter", "year", "custom")
CUSTOM_MAX_DAYS = 366 * 5  # a longer range is refused: the dashboard is about recent work


class PeriodError(ValueError):
    """A period that cannot be shown; `code` is stable (period_unknown, period_dates, period_order, …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- levels ----------------------------------------------------------------------------------------------------


def depth(level: str) -> int:
    """0 for the district, growing downwards; an unknown level sorts below everything."""
    try:
        return LEVELS_TOP_DOWN.index(level)
    except ValueError:
        return len(LEVELS_TOP_DOWN)


def at_or_below(level: str, reference: str = COMMUNITY) -> bool:
    return depth(level) >= depth(reference)


# --- periods ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included (local dates)."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_of(kind: str, today: dt.date) -> Period:
    """The month, quarter or year that contains `today`."""
    if kind == "month":
        return Period(kind, today.replace(day=1), _month_end(today.year, today.month))
    if kind == "quarter":
        first = 3 * ((today.month - 1) // 3) + 1
        return Period(kind, dt.date(today.year, first, 1), _month_end(today.year, first + 2))
    if kind == "year":
        return Period(kind, dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    raise PeriodError("period_unknown")


def custom_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError("period_order")
    if (end - start).days + 1 > CUSTOM_MAX_DAYS:
        raise PeriodError("period_too_long")
    return Period("custom", start, end)


def parse_period(kind: str, today: dt.date, start: str = "", end: str = "") -> Period:
    """From a page's or the API's parameters: a kind (default this quarter), or from–to dates (YYYY-MM-DD)."""
    if start or end or kind == "custom":
        try:
            return custom_period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        except (TypeError, ValueError) as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError("period_dates") from exc
    return period_of(kind or "quarter", today)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week that contains `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def meeting_day(day: dt.date, weekday: int = 0) -> dt.date:
    """The street's weekly meeting in the week of `day` (BZ-5.2.4.1); `weekday` 0 = Monday … 6 = Sunday."""
    if not 0 <= weekday <= 6:
        raise PeriodError("weekday_invalid")
    return week_of(day)[0] + dt.timedelta(days=weekday)


def next_meeting(today: dt.date, weekday: int = 0) -> dt.date:
    """The coming weekly meeting: this week's if it is today or later, else next week's."""
    this_week = meeting_day(today, weekday)
    return this_week if this_week >= today else this_week + dt.timedelta(days=7)


# --- arithmetic ------------------------------------------------------------------------------------------------


def rate(part: int, whole: int) -> Fraction | None:
    """An exact share; None when there is nothing to share (never a made-up 0 %)."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError("a share needs 0 <= part <= whole")
    return Fraction(part, whole) if whole else None


def weighted_median(values: Iterable[tuple[int, int]]) -> Fraction | None:
    """The median of values given as (value, how many times); an even count gives the mean of the middle two.

    None for no values at all. Counts must not be negative; zero counts are ignored.
    """
    pairs = sorted((v, n) for v, n in values if n)
    if any(n < 0 for _, n in pairs):
        raise ValueError("a count cannot be negative")
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    low_index, high_index = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    low = high = None
    seen = 0
    for value, n in pairs:
        if low is None and low_index < seen + n:
            low = value
        if high_index < seen + n:
            high = value
            break
        seen += n
    assert low is not None and high is not None
    return Fraction(low + high, 2)


def mean(values: Iterable[tuple[int, int]]) -> Fraction | None:
    pairs = [(v, n) for v, n in values if n]
    total = sum(n for _, n in pairs)
    return Fraction(sum(v * n for v, n in pairs), total) if total else None


def percent_text(share: Fraction | None) -> str:
    """A share as a percent with one decimal, rounded half up; "—" when there is none."""
    if share is None:
        return "—"
    tenths = (share * 1000 * 2 + 1) // 2
    return f"{tenths // 10}.{tenths % 10}%"


def decimal_text(value: Fraction | None, places: int = 1) -> str:
    """A number with fixed decimals, rounded half up; "—" when there is none."""
    if value is None:
        return "—"
    scale = 10**places
    scaled = (value * scale * 2 + 1) // 2
    whole, part = divmod(scaled, scale)
    return f"{whole}.{part:0{places}d}" if places else str(whole)


# --- the dashboard of appeals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseGroup:
    """Cases that share these values, and how many (one row of the database's GROUP BY)."""

    level: str
    state: str
    category: str
    count: int
    rating: int | None = None
    on_time: bool | None = None  # None: not resolved, or no due date at the level that resolved it
    has_due: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class Satisfaction:
    rated: int
    mean: Fraction | None
    distribution: dict[int, int]  # rating → cases, every point of the scale present
    no_response: int  # closed as "no response" (§5 #27), not a rating
    awaiting: int  # resolved, the submitter has not answered yet
    satisfied: int  # rated at or above the pack's "satisfied" threshold
    satisfied_share: Fraction | None


@dataclass(frozen=True)
class AppealSummary:
    submitted: int
    open: int
    open_overdue: int
    resolved: int
    resolved_by_level: dict[str, int]  # top-down order of levels
    open_by_level: dict[str, int]
    resolved_low: int  # at or below community
    resolved_low_share: Fraction | None
    on_time: int
    late: int
    no_deadline: int
    on_time_share: Fraction | None
    satisfaction: Satisfaction
    categories: list[tuple[str, int]]  # most cases first, then by code; all of them


def _by_level(counts: Mapping[str, int]) -> dict[str, int]:
    return {lv: counts[lv] for lv in sorted(counts, key=lambda lv: (depth(lv), lv)) if counts[lv]}


def satisfaction(groups: Iterable[CaseGroup], scale_max: int = 5, satisfied_min: int = 4) -> Satisfaction:
    dist = {point: 0 for point in range(1, scale_max + 1)}
    no_response = awaiting = 0
    for g in groups:
        if g.state == "closed" and g.rating is not None and 1 <= g.rating <= scale_max:
            dist[g.rating] += g.count
        elif g.state == "closed_no_response":
            no_response += g.count
        elif g.state == "resolved":
            awaiting += g.count
    rated = sum(dist.values())
    satisfied = sum(n for point, n in dist.items() if point >= satisfied_min)
    return Satisfaction(
        rated=rated,
        mean=mean(dist.items()),
        distribution=dist,
        no_response=no_response,
        awaiting=awaiting,
        satisfied=satisfied,
        satisfied_share=rate(satisfied, rated),
    )


def summarise(groups: Iterable[CaseGroup], scale_max: int = 5, satisfied_min: int = 4) -> AppealSummary:
    """Every appeals figure of the dashboard from the grouped rows (merged cases must already be left out)."""
    groups = [g for g in groups if g.count]
    resolved_at: dict[str, int] = {}
    open_at: dict[str, int] = {}
    categories: dict[str, int] = {}
    on_time = late = no_deadline = open_overdue = 0
    for g in groups:
        categories[g.category] = categories.get(g.category, 0) + g.count
        if g.state in RESOLVED_STATES:
            resolved_at[g.level] = resolved_at.get(g.level, 0) + g.count
            if not g.has_due:
                no_deadline += g.count
            elif g.on_time:
                on_time += g.count
            else:
                late += g.count
        elif g.state in OPEN_STATES:
            open_at[g.level] = open_at.get(g.level, 0) + g.count
            open_overdue += g.count if g.overdue else 0
    resolved = sum(resolved_at.values())
    low = sum(n for lv, n in resolved_at.items() if at_or_below(lv))
    return AppealSummary(
        submitted=sum(g.count for g in groups),
        open=sum(open_at.values()),
        open_overdue=open_overdue,
        resolved=resolved,
        resolved_by_level=_by_level(resolved_at),
        open_by_level=_by_level(open_at),
        resolved_low=low,
        resolved_low_share=rate(low, resolved),
        on_time=on_time,
        late=late,
        no_deadline=no_deadline,
        on_time_share=rate(on_time, on_time + late),
        satisfaction=satisfaction(groups, scale_max, satisfied_min),
        categories=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def resolve_days(
    pairs: Iterable[tuple[dt.date, dt.date, int]], workdays: Callable[[dt.date, dt.date], int]
) -> Fraction | None:
    """The median time to resolve in working days, from (submitted on, resolved on, how many) rows."""
    counted: dict[int, int] = {}
    for submitted, resolved, n in pairs:
        days = workdays(submitted, resolved)
        counted[days] = counted.get(days, 0) + n
    return weighted_median(counted.items())


# --- where appeals were resolved: the flow from level to level (a Sankey diagram) -----------------------------


@dataclass(frozen=True)
class Flow:
    """Nodes and links for the diagram: a node per level a case passed through, one per level cases were
    resolved at ("resolved:<level>") and one for cases still open ("open")."""

    nodes: list[str]
    links: list[tuple[str, str, int]]  # (source, target, cases)
    ignored: int = 0  # moves that were not upwards (a reclassification down), left out to keep it acyclic


def flow(
    moves: Iterable[tuple[str, str, int]],
    resolved_by_level: Mapping[str, int],
    open_by_level: Mapping[str, int],
) -> Flow:
    """Escalations (from level, to level, how many) and where cases ended, as the flow diagram's data.

    Only upward moves are drawn (an escalation, a triage to a higher rung); a move to the same or a lower
    level would make the diagram cyclic, so it is counted in `ignored` instead.
    """
    ups: dict[tuple[str, str], int] = {}
    ignored = 0
    for source, target, n in moves:
        if n <= 0:
            continue
        if depth(target) < depth(source):
            ups[(source, target)] = ups.get((source, target), 0) + n
        else:
            ignored += n
    links = [
        (s, t, n) for (s, t), n in sorted(ups.items(), key=lambda kv: (-depth(kv[0][0]), depth(kv[0][1])))
    ]
    links += [(lv, f"resolved:{lv}", n) for lv, n in _by_level(dict(resolved_by_level)).items()]
    links += [(lv, "open", n) for lv, n in _by_level(dict(open_by_level)).items()]
    levels = {lv for s, t, _ in links for lv in (s, t) if ":" not in lv and lv != "open"}
    nodes = sorted(levels, key=lambda lv: -depth(lv))
    nodes += [t for _, t, _ in links if t.startswith("resolved:") and t not in nodes]
    nodes += ["open"] if open_by_level and any(open_by_level.values()) else []
    return Flow(nodes, links, ignored)


# --- directives: on-time completion per receiving unit (BZ-7.2) ----------------------------------------------


@dataclass(frozen=True)
class UnitCompletion:
    unit_id: int
    due: int
    on_time: int
    late: int
    overdue_open: int

    @property
    def pending(self) -> int:
        return self.due - self.on_time - self.late - self.overdue_open

    @property
    def on_time_share(self) -> Fraction | None:
        """Over the assignments done or past their deadline (the ones not yet due are not judged)."""
        return rate(self.on_time, self.on_time + self.late + self.overdue_open)


# --- the street's weekly meeting agenda (BZ-5.2.4.1(b)) -------------------------------------------------------


@dataclass(frozen=True)
class WaitingCase:
    """An unresolved case the communities escalated to the street."""

    id: int
    category: str
    community: str  # the community's name (or id as text)
    problem: str  # what groups it: the category, or the linked-cases group
    waiting_since: dt.date  # the day it arrived at the street
    due_date: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class AgendaItem:
    problem: str
    category: str
    cases: list[int]
    communities: list[str]
    oldest_waiting_days: int
    overdue: int  # cases flagged overdue or past their due date on the meeting day

    @property
    def count(self) -> int:
        return len(self.cases)


def problem_key(category: str, link_group: int | None) -> str:
    """Cases linked as one problem (BZ-5.2.4.1(b): common appeals) stay together; the others group by category."""
    return f"link:{link_group}" if link_group else f"category:{category}"


def agenda(cases: Iterable[WaitingCase], meeting: dt.date) -> list[AgendaItem]:
    """Groups of common problems for the meeting: the most communities first, then most cases, then oldest."""
    groups: dict[str, list[WaitingCase]] = {}
    for case in cases:
        groups.setdefault(case.problem, []).append(case)
    items = []
    for key, members in groups.items():
        members.sort(key=lambda c: (c.waiting_since, c.id))
        items.append(
            AgendaItem(
                problem=key,
                category=members[0].category,
                cases=[c.id for c in members],
                communities=sorted({c.community for c in members}),
                oldest_waiting_days=max(0, (meeting - members[0].waiting_since).days),
                overdue=sum(
                    1 for c in members if c.overdue or (c.due_date is not None and c.due_date < meeting)
                ),
            )
        )
    return sorted(items, key=lambda i: (-len(i.communities), -i.count, -i.oldest_waiting_days, i.problem))
