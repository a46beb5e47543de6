"""What happens after a topic is decided (issue 5 §4), as pure Python. No Django.

- Implementation (HZ-5.1.3.2.1.5): the body the procedure names appoints who implements, with a due date and an
  acceptance standard; progress is reported; a later due date or a changed standard needs a reason; the
  supervisory body follows up until it closes the implementation as done (accepted against the standard) or
  failed (with a reason). One declaration (ACTIONS) says who may do what in which state, for services, pages
  and tests alike.
- Residents' appraisal (HZ-5.1.3.2.2.7, scale and "satisfied" per catalogue §5 #27).
- The deliberation success rate (HZ-6.1 read per catalogue §5 #29).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from gongzhi.voting import procedures as p
from gongzhi.voting.i18n import _

OPEN, DONE, FAILED = "open", "done", "failed"
STATES: dict[str, str] = {OPEN: _("Being implemented"), DONE: _("Done and accepted"), FAILED: _("Failed")}
CLOSED = frozenset({DONE, FAILED})

# Who appoints the implementer (and changes the due date or standard) at each procedure's level. HZ-5.1.3.2.1.5
# names the owners' committee for compound matters (and the joint meeting on funds is the compound's); the
# documents are silent for the other levels, so the body that leads that procedure appoints.
APPOINTERS: dict[str, tuple[str, ...]] = {
    "compound": (p.OC,),  # HZ-5.1.3.2.1.5
    "joint_meeting": (p.OC,),  # HZ-5.1.3.2.1.5 (a compound's use of funds)
    "building": (p.BUILDING_LEADER, p.OC),  # HZ-5.1.3.2.2.5#2: the building leader handles building items
    "resident_group": (p.RESIDENT_GROUP_LEADER,),  # BZ-5.2.2(a)
    "community": (p.RC, p.COMMUNITY_WORKER),  # BZ-5.2.3(d)
    "property_dispute": (p.COMMUNITY_PMC, p.COMMUNITY_WORKER),  # CZ-III.6#1
}
# Who follows up and closes: the owners' supervisory committee (HZ-5.1.3.2.1.5 跟踪督查); below and beside the
# compound, whoever the procedure has supervise.
FOLLOWERS: dict[str, tuple[str, ...]] = {
    "compound": (p.OSC,),
    "joint_meeting": (p.OSC,),  # HZ-5.1.1.2: the OSC tracks the use of funds
    "building": (p.OSC, p.GRID_LEADER),
    "resident_group": (p.RC, p.COMMUNITY_WORKER),
    "community": (p.COMMUNITY_PARTY, p.RC),
    "property_dispute": (p.COMMUNITY_PMC, p.RC, p.COMMUNITY_WORKER),  # CZ-III.6#1 监督反馈
}
# The implementer reports progress, and so may the body that appointed it.
IMPLEMENTERS = (p.PROPERTY_COMPANY, p.PROPERTY_STAFF)

# The state in which each procedure has taken its decision (a passed vote, or the opinion formed).
DECISION_STATES: dict[str, str] = {
    "building": "voted",
    "compound": "resolved",
    "resident_group": "opinion_formed",
    "community": "voted",
    "property_dispute": "consulted",
    "joint_meeting": "approved",
}
# The state in which a topic counts as accepted for deliberation (past collection and screening).
ACCEPTED_STATES: dict[str, str] = {
    "building": "screened",
    "compound": "proposed",
    "resident_group": "topic_proposed",
    "community": "convened",
    "property_dispute": "topic_confirmed",
    "joint_meeting": "proposed",
}
WITHDRAWN_STATES = frozenset({"dropped"})
# Procedures whose own steps record that the decision was carried out (no separate tracking needed to count).
IMPLEMENTED_STATES: dict[str, str] = {"resident_group": "closed", "property_dispute": "supervised"}
# Residents may appraise once the implementation is closed, or (a building) once the notice is posted.
APPRAISAL_OPENS: dict[str, str] = {"building": "notice_posted"}  # HZ-5.1.3.2.2.6 → .7
# The step that files a published result with the community (HZ-5.1.3.2.1.3 备案).
FILING_STATES: dict[str, str] = {"compound": "filed"}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    clause: str
    sources: frozenset[str]  # implementation states it may be taken from ("" = none yet)
    target: str  # the state it leads to ("" = unchanged)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("appoint", _("Appoint the implementer"), "HZ-5.1.3.2.1.5", frozenset({""}), OPEN),
        Action("progress", _("Report progress"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), ""),
        Action("change", _("Change the due date or standard"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), ""),
        Action("milestone", _("Add a milestone"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), ""),
        Action("milestone_reached", _("Mark a milestone reached"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), ""),
        Action("follow_up", _("Record a follow-up check"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), ""),
        Action("accept", _("Accept as done"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), DONE),
        Action("fail", _("Close as failed"), "HZ-5.1.3.2.1.5", frozenset({OPEN}), FAILED),
    )
}

REFUSALS: dict[str, str] = {
    "not_decided": _("The topic has no decision yet: appoint an implementer once it is decided."),
    "not_allowed": _("This is done by {actors}."),
    "wrong_state": _("This cannot be done now: the implementation is {state}."),
    "reason_required": _("A later due date or a different standard needs a reason (HZ-5.1.3.2.1.5)."),
    "nothing_changed": _("Give a new due date or a new standard."),
    "text_required": _("Write what you found or what was done."),
}


class Refused(Exception):
    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params


def actors_for(procedure: str, action: str) -> tuple[str, ...]:
    if action in ("appoint", "change", "milestone"):
        return APPOINTERS.get(procedure, ())
    if action in ("progress", "milestone_reached"):
        return (*APPOINTERS.get(procedure, ()), *IMPLEMENTERS)
    return FOLLOWERS.get(procedure, ())


def decided(procedure: str, history: Sequence[str], decided_at_set: bool) -> bool:
    """A passed vote (the procedure's decision state reached) or a decision recorded on the topic."""
    return decided_at_set or DECISION_STATES.get(procedure, "\0") in history


def check(procedure: str, action: str, *, state: str, capacities: Collection[str]) -> Action:
    """The action if `capacities` may take it from implementation state `state` ('' = none yet), else Refused."""
    move = ACTIONS[action]
    if state not in move.sources:
        raise Refused("wrong_state", state=state or "-")
    actors = actors_for(procedure, action)
    if not set(actors) & set(capacities):
        raise Refused("not_allowed", actors=", ".join(actors))
    return move


def allowed_actions(procedure: str, state: str, capacities: Collection[str]) -> list[str]:
    """The actions a page offers (appointing needs the decision too: the service checks it)."""
    return [
        a.name
        for a in ACTIONS.values()
        if state in a.sources and set(actors_for(procedure, a.name)) & set(capacities)
    ]


def change_needs_reason(
    *, due_on: dt.date, new_due_on: dt.date | None, standard: str, new_standard: str | None
) -> bool:
    """HZ-5.1.3.2.1.5 不应延期或降低落实标准: a later due date, or any change to the standard (whether it is lower
    is a judgement the system cannot make, so every change is justified), needs a reason. An earlier date
    does not."""
    later = new_due_on is not None and new_due_on > due_on
    restandard = new_standard is not None and new_standard.strip() != standard.strip()
    return later or restandard


def overdue(*, state: str, due_on: dt.date, today: dt.date) -> bool:
    return state == OPEN and today > due_on


# --- residents' appraisal (HZ-5.1.3.2.2.7, catalogue §5 #27) ----------------------------------------------------


@dataclass(frozen=True)
class AppraisalSummary:
    responses: int
    households: int
    satisfied: int
    counts: dict[int, int]  # rating → responses
    satisfaction: Fraction | None  # satisfied / responses; None without responses
    response_rate: Fraction | None  # responses / households; None without households


def appraisal_summary(
    ratings: Iterable[int], *, households: int, scale_max: int, satisfied_min: int
) -> AppraisalSummary:
    """§5 #27: satisfied = rating ≥ satisfied_min (4 of 5); rate = satisfied / valid responses; non-responses
    are excluded from the rate but the response rate is reported beside it."""
    valid = [r for r in ratings if 1 <= r <= scale_max]
    counts = {score: valid.count(score) for score in range(1, scale_max + 1)}
    satisfied = sum(1 for r in valid if r >= satisfied_min)
    return AppraisalSummary(
        responses=len(valid),
        households=households,
        satisfied=satisfied,
        counts=counts,
        satisfaction=Fraction(satisfied, len(valid)) if valid else None,
        response_rate=Fraction(len(valid), households) if households else None,
    )


def appraisal_open(procedure: str, history: Sequence[str], implementation_state: str) -> bool:
    opens = APPRAISAL_OPENS.get(procedure)
    return implementation_state in CLOSED or (opens is not None and opens in history)


# --- deliberation success rate (HZ-6.1, catalogue §5 #29) --------------------------------------------------------


@dataclass(frozen=True)
class TopicFacts:
    accepted: bool
    withdrawn: bool
    resolved: bool
    implemented: bool


@dataclass(frozen=True)
class SuccessRate:
    succeeded: int  # resolved and implemented
    accepted: int  # accepted for deliberation, withdrawn excluded
    rate: Fraction | None  # None when nothing was accepted


def topic_facts(
    procedure: str, history: Sequence[str], *, decided_at_set: bool, implementation_state: str
) -> TopicFacts:
    """A topic's standing for §5 #29 from its procedure's states reached (NEW first) and its implementation."""
    reached = set(history)
    return TopicFacts(
        accepted=ACCEPTED_STATES.get(procedure, "\0") in reached,
        withdrawn=bool(WITHDRAWN_STATES & reached),
        resolved=decided(procedure, history, decided_at_set),
        implemented=implementation_state == DONE or IMPLEMENTED_STATES.get(procedure, "\0") in reached,
    )


def success_rate(topics: Iterable[TopicFacts]) -> SuccessRate:
    """§5 #29: topics resolved *and* implemented ÷ topics accepted for deliberation, withdrawn topics excluded
    from both. A topic passed up to another level stays in the denominator: it was not resolved here."""
    counted = [t for t in topics if t.accepted and not t.withdrawn]
    succeeded = sum(1 for t in counted if t.resolved and t.implemented)
    return SuccessRate(succeeded, len(counted), Fraction(succeeded, len(counted)) if counted else None)


def percent(value: Fraction | None) -> str:
    """A share for display with one decimal, rounded half up; '—' when undefined."""
    if value is None:
        return "—"
    tenths = (value * 1000 + Fraction(1, 2)) // 1
    return f"{tenths // 10}.{tenths % 10}%"
