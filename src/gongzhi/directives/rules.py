"""Directives as data (issue 4 §2): who may be given what, deadlines down the cascade, and roll-up back up.

Pure Python, no Django. The services read the policy pack into a `PushPolicy` and the tree into paths and
levels, then ask these functions; the pages and the reports use the same roll-up.

- Access control of work pushed onto a residents' committee (CZ-IV.6#2, CZ-IV.6#3, NB-4.5.1, NB-4.5.2): the
  directive must cite an item of the county's access list; statutory government duties and the forbidden
  kinds (the pack's `task_push.forbidden_kinds`) are refused with their clause; assisted items carry the staff
  and funding that come with them.
- "Six ones" (BZ-5.1.1.3(a)): project, plan, responsible leader, working group, timetable.
- A unit splits its assignment for its children with deadlines no later than its own.
- Roll-up: completion and overdue flags from the leaves to the issuer; the BZ-7.2 quarterly on-time rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class ItemKind(StrEnum):
    """Kinds of access-list items (CZ-IV.6#2); the last five are the kinds CZ-IV.6#3 names."""

    ALLOWED = "allowed"
    ASSISTED = "assisted"  # the residents' committee assists: staff and funding come with it
    STATUTORY = "statutory_duty"  # a statutory duty of grassroots government
    ENFORCEMENT = "enforcement"
    DEMOLITION = "demolition"
    ENVIRONMENTAL = "environmental_rectification"
    URBAN_MANAGEMENT = "urban_management"
    INVESTMENT = "investment_attraction"


class State(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    SPLIT = "split"
    REPORT = "report"
    COMPLETE = "complete"


# The assignment's lifecycle: which states each step is taken from, and the state it leads to (None: stays).
STEPS: dict[Step, tuple[frozenset[State], State | None]] = {
    Step.ACKNOWLEDGE: (frozenset({State.RECEIVED}), State.ACKNOWLEDGED),
    Step.SPLIT: (frozenset({State.ACKNOWLEDGED, State.IN_PROGRESS}), None),
    Step.REPORT: (frozenset({State.ACKNOWLEDGED, State.IN_PROGRESS}), State.IN_PROGRESS),
    Step.COMPLETE: (frozenset({State.ACKNOWLEDGED, State.IN_PROGRESS}), State.COMPLETED),
}

ISSUING_LEVELS = frozenset({"district", "street", "community"})
# Units that pass work further down; a compound or resident group does the work itself.
SPLITTING_LEVELS = frozenset({"district", "street", "community"})
ABOVE_COMMUNITY = frozenset({"district", "street"})
SIX_ONES = ("project", "plan", "responsible_leader", "working_group", "timetable")  # BZ-5.1.1.3(a)


def step_allowed(step: Step, state: str) -> bool:
    return state in STEPS[step][0]


def state_after(step: Step, state: str) -> str:
    target = STEPS[step][1]
    return state if target is None else target.value


def steps_open(state: str, level: str, has_open_children: bool) -> list[Step]:
    """The buttons a receiving unit sees on its assignment."""
    out = [s for s in Step if step_allowed(s, state)]
    if level not in SPLITTING_LEVELS:
        out = [s for s in out if s != Step.SPLIT]
    if has_open_children:
        out = [s for s in out if s != Step.COMPLETE]
    return out


# --- access control (CZ-IV.6#2, CZ-IV.6#3, NB-4.5.1, NB-4.5.2) -------------------------------------------


@dataclass(frozen=True)
class PushPolicy:
    """The pack's `task_push.*` values with their clauses (read by the services from the effective policy)."""

    access_control: bool
    access_clause: str
    statutory_refused: bool
    statutory_clause: str
    forbidden_kinds: frozenset[str]
    forbidden_clause: str
    assisted_needs_support: bool
    assisted_clause: str


@dataclass(frozen=True)
class Item:
    kind: str
    county_path: str  # the district (county-level unit) whose list holds the item


@dataclass(frozen=True)
class Refusal:
    code: str
    clause: str
    kind: str = ""


def pushes_onto_residents_committee(from_level: str, to_level: str) -> bool:
    """Work given by a street or district to a community lands on its residents' committee (CZ-IV.6#2)."""
    return to_level == "community" and from_level in ABOVE_COMMUNITY


def push_refusal(
    policy: PushPolicy, *, target_path: str, item: Item | None, staff: str, funding_fen: int
) -> Refusal | None:
    """Why a directive may not be pushed onto the residents' committee at `target_path`, or None."""
    if not policy.access_control:
        return None
    if item is None:
        return Refusal("access_item_required", policy.access_clause)
    if not target_path.startswith(item.county_path):
        return Refusal("access_item_other_county", policy.access_clause)
    if item.kind in policy.forbidden_kinds:
        return Refusal("forbidden_kind", policy.forbidden_clause, item.kind)
    if item.kind == ItemKind.STATUTORY and policy.statutory_refused:
        return Refusal("statutory_duty", policy.statutory_clause, item.kind)
    if (
        item.kind == ItemKind.ASSISTED
        and policy.assisted_needs_support
        and (not staff.strip() or funding_fen <= 0)
    ):
        return Refusal("assisted_needs_support", policy.assisted_clause, item.kind)
    return None


def six_ones_missing(values: dict[str, str]) -> list[str]:
    """The "six ones" fields left empty (BZ-5.1.1.3(a)); the sixth "one" is the directive itself."""
    return [name for name in SIX_ONES if not (values.get(name) or "").strip()]


# --- the cascade ----------------------------------------------------------------------------------------


def is_child(parent_path: str, child_path: str, steplen: int) -> bool:
    return child_path.startswith(parent_path) and len(child_path) == len(parent_path) + steplen


def deadline_refusal(child_due: dt.date, parent_due: dt.date) -> str | None:
    """A child's deadline may not be later than its parent's."""
    return "deadline_after_parent" if child_due > parent_due else None


@dataclass(frozen=True)
class Unit:
    """One assignment as the roll-up sees it."""

    id: int
    parent_id: int | None
    state: str
    percent: int  # the unit's last reported percent
    due: dt.date
    completed_on: dt.date | None = None


@dataclass
class Rolled:
    percent: int
    overdue: bool  # this unit is open past its deadline
    overdue_below: int  # open units past their deadline in this subtree, itself included
    completed: bool
    late: bool  # completed after its deadline
    children: list[int] = field(default_factory=list)


def is_overdue(unit: Unit, today: dt.date) -> bool:
    return unit.state != State.COMPLETED and today > unit.due


def is_late(unit: Unit) -> bool:
    return unit.completed_on is not None and unit.completed_on > unit.due


def roll_up(units: Iterable[Unit], today: dt.date) -> dict[int, Rolled]:
    """Completion and overdue counts for each unit of a cascade, from the leaves up.

    A completed unit is 100 %; an open unit with children is the mean of its children (rounded down), since
    its own work is theirs; an open leaf is its last reported percent.
    """
    by_id = {u.id: u for u in units}
    children: dict[int, list[int]] = {i: [] for i in by_id}
    for u in by_id.values():
        if u.parent_id in children:
            children[u.parent_id].append(u.id)
    out: dict[int, Rolled] = {}

    def visit(uid: int) -> Rolled:
        u = by_id[uid]
        kids = [visit(k) for k in sorted(children[uid])]
        done = u.state == State.COMPLETED
        if done:
            percent = 100
        elif kids:
            percent = int(Fraction(sum(k.percent for k in kids), len(kids)))
        else:
            percent = max(0, min(100, u.percent))
        overdue = is_overdue(u, today)
        below = int(overdue) + sum(k.overdue_below for k in kids)
        out[uid] = Rolled(percent, overdue, below, done, is_late(u), sorted(children[uid]))
        return out[uid]

    for uid in by_id:
        if by_id[uid].parent_id not in by_id:
            visit(uid)
    return out


@dataclass(frozen=True)
class Summary:
    percent: int
    completed: bool
    overdue: int


def summary(units: Iterable[Unit], today: dt.date) -> Summary:
    """The directive as its issuer sees it: the mean over the units it gave the work to."""
    units = list(units)
    rolled = roll_up(units, today)
    ids = {u.id for u in units}
    roots = [rolled[u.id] for u in units if u.parent_id not in ids]
    if not roots:
        return Summary(0, False, 0)
    percent = int(Fraction(sum(r.percent for r in roots), len(roots)))
    return Summary(percent, all(r.completed for r in roots), sum(r.overdue_below for r in roots))


# --- BZ-7.2 "一月一调度，一季一考核" ----------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1 to 4")
    first = dt.date(year, 3 * quarter - 2, 1)
    return first, month_bounds(year, 3 * quarter)[1]


@dataclass(frozen=True)
class Assessment:
    """A unit's directives due in a quarter (BZ-7.2): on time, late, open past due, not yet due."""

    due: int
    on_time: int
    late: int
    overdue_open: int
    pending: int

    @property
    def rate(self) -> Fraction | None:
        """On-time completion rate over the assignments whose deadline has passed or that are done."""
        counted = self.on_time + self.late + self.overdue_open
        return Fraction(self.on_time, counted) if counted else None


def assess(units: Iterable[Unit], start: dt.date, end: dt.date, today: dt.date) -> Assessment:
    due = [u for u in units if start <= u.due <= end]
    on_time = sum(1 for u in due if u.state == State.COMPLETED and not is_late(u))
    late = sum(1 for u in due if u.state == State.COMPLETED and is_late(u))
    overdue_open = sum(1 for u in due if is_overdue(u, today))
    pending = len(due) - on_time - late - overdue_open
    return Assessment(len(due), on_time, late, overdue_open, pending)
