"""Deliberation procedures as data (issue 5 §1): one declaration per kind, with its states in order, who may act
at each step, what each step must record and the clause it comes from. Pure Python, no Django.

Services move a deliberation only through `transition_check`, pages draw the stepper from `stepper` and the
buttons from `next_transitions`, and tests sweep the same declarations, so the order lives in one place. Steps
cannot be skipped or reordered: the only moves are the declared transitions. Every transition records a document
(the service adds who and when); some need more, and some have a guard (a passed vote, a 20% proposal, the
joint meeting's unanimity) that reads the vote's result from voting.tally and fractions from the policy pack.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gongzhi.voting.i18n import Translate, _, untranslated

NEW = "new"  # every deliberation starts here, before its first step
Lookup = Callable[[str], Any]  # a policy key → its value (EffectivePolicy.value, or a dict's get)

# Capacities an actor can hold: roles (accounts.roles.Role), bodies acted for (bodies.kinds.BodyKind) and the
# representatives the documents name that are not accounts roles.
BUILDING_LEADER, GRID_LEADER, COMMUNITY_WORKER = "building_leader", "grid_leader", "community_worker"
GRID_WORKER, PROPERTY_STAFF, RESIDENT = "grid_worker", "property_staff", "resident"
OC, OSC, COMPOUND_PARTY = "owners_committee", "owners_supervisory_committee", "compound_party_org"
ASSEMBLY, RC, COMMUNITY_PARTY = "owners_general_assembly", "residents_committee", "community_party_org"
COMMUNITY_PMC, PROPERTY_COMPANY = "community_pmc", "property_company"
OWNERS_REPRESENTATIVE, HOUSEHOLD_REPRESENTATIVE = "owners_representative", "household_representative"
RESIDENT_GROUP_LEADER = "resident_group_leader"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str  # what the step does, for the stepper and the button (translated where shown)
    actors: tuple[str, ...]  # capacities of whoever may take it; one is enough
    clause: str
    records: tuple[str, ...] = ("document",)  # fields the step's record must carry, non-empty
    guard: str = ""  # a key of GUARDS, checked after actor and records
    participants: tuple[str, ...] = ()  # who is invited to the meeting this step holds (a warning if absent)


@dataclass(frozen=True)
class Procedure:
    kind: str
    label: str
    clause: str
    states: tuple[str, ...]  # the main line, in order, NEW first; the stepper shows these
    transitions: tuple[Transition, ...]

    @property
    def terminal(self) -> frozenset[str]:
        sources = {t.source for t in self.transitions}
        return frozenset({t.target for t in self.transitions} - sources)

    @property
    def all_states(self) -> tuple[str, ...]:
        extra = [t.target for t in self.transitions if t.target not in self.states]
        return (*self.states, *dict.fromkeys(extra))


class TransitionRefused(Exception):
    """A move the procedure does not allow: a stable `code` and params for the message."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params

    def message(self, translate: Translate = untranslated) -> str:
        return translate(REFUSALS[self.code]).format(**self.params)


REFUSALS: dict[str, str] = {
    "unknown_procedure": _("There is no deliberation procedure called {kind}."),
    "unknown_state": _("{state} is not a step of this procedure."),
    "finished": _("This deliberation has ended ({state}); it cannot move on."),
    "out_of_order": _("From {current} the next step is {allowed}; steps cannot be skipped or reordered."),
    "not_allowed": _("This step is taken by {actors}."),
    "missing_record": _("This step must record {field}."),
    "proposal_threshold": _(
        "A proposal needs the owners' committee or at least {share} of the owners' representatives' signatures."
    ),
    "vote_not_passed": _("The vote did not pass, so the matter cannot be resolved this way."),
    "vote_passed": _("The vote passed, so the matter is not rejected."),
    "not_unanimous": _("Every body at the joint meeting must be present and approve ({missing})."),
    "unanimous": _("Every body at the joint meeting approved, so the request is not rejected."),
    "no_public_channel": _("The result must be published on the compound's notice board or e-screen."),
}
PUBLIC_CHANNELS = frozenset({"notice_board", "e_screen"})  # HZ-5.1.3.2.1.3 公开: 宣传栏、电子屏


def chain(states: tuple[str, ...], steps: Mapping[str, tuple[Any, ...]]) -> tuple[Transition, ...]:
    """The main line: one transition into each state from the one before it. `steps[state]` gives
    (label, actors, clause) and optionally extra records, guard and participants."""
    out = []
    for source, target in zip(states, states[1:], strict=False):
        label, actors, clause, *rest = steps[target]
        records = ("document", *(rest[0] if rest else ()))
        guard = rest[1] if len(rest) > 1 else ""
        participants = rest[2] if len(rest) > 2 else ()
        out.append(Transition(source, target, label, actors, clause, records, guard, participants))
    return tuple(out)


def side(
    sources: tuple[str, ...],
    target: str,
    label: str,
    actors: tuple[str, ...],
    clause: str,
    *records: str,
    guard: str = "",
) -> tuple[Transition, ...]:
    """A way out of the main line (escalation, dropping a topic, a rejection) from each of `sources`."""
    return tuple(Transition(s, target, label, actors, clause, ("document", *records), guard) for s in sources)


# --- Building (stairwell) deliberation: HZ-5.1.3.2.2.1–.7 -----------------------------------------------------

_BUILDING = (NEW, "collected", "screened", "meeting_held", "voted", "notice_posted", "evaluated")
BUILDING = Procedure(
    kind="building",
    label=_("Building deliberation"),
    clause="HZ-5.1.3.2.2.1",
    states=_BUILDING,
    transitions=chain(
        _BUILDING,
        {
            "collected": (
                _("Collect or initiate the topic"),
                (BUILDING_LEADER,),
                "HZ-5.1.3.2.2.1",
                ("source",),
            ),
            "screened": (_("Screen and confirm the topic"), (BUILDING_LEADER,), "HZ-5.1.3.2.2.1"),
            "meeting_held": (
                _("Hold the meeting online or on site"),
                (BUILDING_LEADER, GRID_LEADER),
                "HZ-5.1.3.2.2.3",
                ("format", "attendance", "minutes"),
                "",
                (GRID_LEADER, BUILDING_LEADER, HOUSEHOLD_REPRESENTATIVE),
            ),
            "voted": (_("Vote"), (BUILDING_LEADER,), "HZ-5.1.3.2.2.5", ("vote",), "vote_passed"),
            "notice_posted": (
                _("Post the notice on the stairwell board"),
                (BUILDING_LEADER,),
                "HZ-5.1.3.2.2.6",
                ("photo",),
            ),
            "evaluated": (
                _("Residents evaluate the result"),
                (BUILDING_LEADER,),
                "HZ-5.1.3.2.2.7",
                ("appraisal",),
            ),
        },
    )
    + side(("collected",), "dropped", _("Drop the topic"), (BUILDING_LEADER,), "HZ-5.1.3.2.2.1", "reason")
    + side(
        ("screened", "meeting_held", "not_adopted"),
        "passed_to_compound",
        _("Pass to compound deliberation"),
        (BUILDING_LEADER, GRID_LEADER),
        "HZ-5.1.3.2.2.5#2",
        "reason",
    )
    + side(
        ("meeting_held",),
        "not_adopted",
        _("Record that the vote did not pass"),
        (BUILDING_LEADER,),
        "HZ-5.1.3.2.2.5",
        "vote",
        guard="vote_failed",
    ),
)

# --- Compound deliberation: HZ-5.1.3.2.1.3 (with HZ-5.1.3.2.1.5 for implementation, tracked elsewhere) --------

_COMPOUND = (NEW, "proposed", "consulted", "reviewed", "resolved", "published", "filed")
COMPOUND = Procedure(
    kind="compound",
    label=_("Compound deliberation"),
    clause="HZ-5.1.3.2.1.3",
    states=_COMPOUND,
    transitions=chain(
        _COMPOUND,
        {
            "proposed": (
                _("Propose"),
                (OC, OWNERS_REPRESENTATIVE),
                "HZ-5.1.3.2.1.3",
                ("proposer",),
                "proposal_share",
            ),
            "consulted": (
                _("Consult at a joint meeting led by the owners' committee"),
                (OC,),
                "HZ-5.1.3.2.1.3",
                ("attendance", "minutes"),
                "",
                (OC, OSC, COMPOUND_PARTY, PROPERTY_COMPANY),
            ),
            "reviewed": (
                _("Review by the owners' supervisory committee"),
                (OSC,),
                "HZ-5.1.3.2.1.3",
                ("opinion",),
            ),
            "resolved": (
                _("Resolve by the owners' (representatives') assembly"),
                (ASSEMBLY, OC),
                "HZ-5.1.3.2.1.3",
                ("vote",),
                "vote_passed",
            ),
            "published": (_("Publish the result"), (OC,), "HZ-5.1.3.2.1.3", ("channels",), "public_channel"),
            "filed": (_("File with the community"), (OC,), "HZ-5.1.3.2.1.3", ("filing_reference",)),
        },
    )
    + side(
        ("reviewed",),
        "not_adopted",
        _("Record that the vote did not pass"),
        (ASSEMBLY, OC),
        "HZ-5.1.3.2.1.3",
        "vote",
        guard="vote_failed",
    ),
)

# --- Resident group meeting: BZ-5.2.2, (a), (b), (c) -----------------------------------------------------------

_GROUP = (NEW, "topic_proposed", "opinions_collected", "opinion_formed", "implementing", "closed")
RESIDENT_GROUP = Procedure(
    kind="resident_group",
    label=_("Resident group deliberation meeting"),
    clause="BZ-5.2.2",
    states=_GROUP,
    transitions=chain(
        _GROUP,
        {
            "topic_proposed": (
                _("Propose a topic from residents' appeals"),
                (RESIDENT_GROUP_LEADER,),
                "BZ-5.2.2",
            ),
            "opinions_collected": (
                _("Hear every resident"),
                (RESIDENT_GROUP_LEADER,),
                "BZ-5.2.2(a)",
                ("attendance", "minutes"),
                "",
                (RESIDENT_GROUP_LEADER, RESIDENT),
            ),
            "opinion_formed": (
                _("Form the opinion (a vote for matters of major interest)"),
                (RESIDENT_GROUP_LEADER,),
                "BZ-5.2.2(b)",
                ("opinion",),
                "vote_passed_if_major",
            ),
            "implementing": (_("Implement"), (RESIDENT_GROUP_LEADER,), "BZ-5.2.2(a)", ("implementer",)),
            "closed": (
                _("Report back to the residents"),
                (RESIDENT_GROUP_LEADER,),
                "BZ-5.2.2(a)",
                ("feedback",),
            ),
        },
    )
    + side(
        ("opinions_collected", "opinion_formed", "implementing"),
        "escalated_to_community",
        _("Raise to the community"),
        (RESIDENT_GROUP_LEADER,),
        "BZ-5.2.2(c)",
        "reason",
    ),
)

# --- Community deliberation meeting: BZ-5.2.3, (d); led by the community Party organisation (CZ-II.7#2) -------

COMMUNITY_INVITEES = (
    COMMUNITY_PARTY,
    RC,
    "residents_affairs_supervisory_committee",
    "resident_group",
    "resident_unit",
    "social_org",
    OC,
    PROPERTY_COMPANY,
    "hukou_resident_rep",
    "non_hukou_resident_rep",
)
_COMMUNITY = (NEW, "convened", "deliberated", "voted", "coordinating", "resolved")
COMMUNITY = Procedure(
    kind="community",
    label=_("Community deliberation meeting"),
    clause="BZ-5.2.3",
    states=_COMMUNITY,
    transitions=chain(
        _COMMUNITY,
        {
            "convened": (
                _("Convene and invite"),
                (COMMUNITY_PARTY, RC, COMMUNITY_WORKER),
                "BZ-5.2.3",
                ("invitees",),
            ),
            "deliberated": (
                _("Deliberate"),
                (COMMUNITY_PARTY, RC, COMMUNITY_WORKER),
                "BZ-5.2.3",
                ("attendance", "minutes"),
                "",
                COMMUNITY_INVITEES,
            ),
            "voted": (
                _("Vote an opinion"),
                (COMMUNITY_PARTY, RC, COMMUNITY_WORKER),
                "BZ-5.2.3(d)",
                ("vote",),
            ),
            "coordinating": (
                _("Coordinate at community level"),
                (RC, COMMUNITY_WORKER),
                "BZ-5.2.3(d)",
                ("plan",),
            ),
            "resolved": (_("Record the outcome"), (RC, COMMUNITY_WORKER), "BZ-5.2.3(d)", ("outcome",)),
        },
    )
    + side(
        ("voted", "coordinating"),
        "escalated_to_street",
        _("Raise to the street"),
        (RC, COMMUNITY_WORKER),
        "BZ-5.2.3(d)",
        "reason",
    ),
)

# --- Property dispute in six steps: CZ-III.6#1 (tiers of CZ-III.6#2 as the way out) -------------------------------

_DISPUTE = (NEW, "collected", "topic_confirmed", "consulted", "executing", "supervised", "evaluated")
PROPERTY_DISPUTE = Procedure(
    kind="property_dispute",
    label=_("Property dispute"),
    clause="CZ-III.6#1",
    states=_DISPUTE,
    transitions=chain(
        _DISPUTE,
        {
            "collected": (
                _("Collect the topic"),
                (COMMUNITY_WORKER, GRID_WORKER, BUILDING_LEADER, OC, PROPERTY_STAFF),
                "CZ-III.6#1",
                ("source",),
            ),
            "topic_confirmed": (_("Confirm the topic"), (COMMUNITY_PMC, COMMUNITY_WORKER), "CZ-III.6#1"),
            "consulted": (
                _("Consult in a meeting"),
                (COMMUNITY_PMC, COMMUNITY_WORKER),
                "CZ-III.6#1",
                ("attendance", "minutes", "decision"),
                "",
                (COMMUNITY_PMC, OC, PROPERTY_COMPANY),
            ),
            "executing": (
                _("Carry out the decision"),
                (PROPERTY_COMPANY, PROPERTY_STAFF, OC),
                "CZ-III.6#1",
                ("implementer",),
            ),
            "supervised": (
                _("Supervise and report back"),
                (COMMUNITY_PMC, RC, COMMUNITY_WORKER),
                "CZ-III.6#1",
                ("feedback",),
            ),
            "evaluated": (_("Residents evaluate"), (COMMUNITY_WORKER, RC), "CZ-III.6#1", ("appraisal",)),
        },
    )
    + side(
        ("topic_confirmed", "consulted"),
        "escalated_to_street_pmc",
        _("Raise to the street property management committee"),
        (COMMUNITY_PMC, COMMUNITY_WORKER),
        "CZ-III.6#2",
        "reason",
    ),
)

# --- Joint meeting on a use of funds: HZ-5.1.1.2, unanimity per §5#7 ---------------------------------------------

JOINT_MEETING_BODIES = (COMPOUND_PARTY, OC, OSC)  # §5#7: the core bodies must be present and approve
_JOINT = (NEW, "proposed", "approved", "tracked", "published")
JOINT_MEETING = Procedure(
    kind="joint_meeting",
    label=_("Joint meeting on the use of funds"),
    clause="HZ-5.1.1.2",
    states=_JOINT,
    transitions=chain(
        _JOINT,
        {
            "proposed": (_("Propose the use of funds"), (OC, RESIDENT), "HZ-5.1.1.1", ("project",)),
            "approved": (
                _("Approve unanimously at the joint meeting"),
                (OC, COMPOUND_PARTY),
                "HZ-5.1.1.2",
                ("positions", "minutes"),
                "unanimous",
                JOINT_MEETING_BODIES,
            ),
            "tracked": (_("Track the use of funds"), (OSC,), "HZ-5.1.1.2", ("tracking_log",)),
            "published": (_("Publish to all owners"), (OC,), "HZ-5.1.1.2", ("channels",)),
        },
    )
    + side(
        ("proposed",),
        "rejected",
        _("Record that the joint meeting did not approve"),
        (OC, COMPOUND_PARTY),
        "HZ-5.1.1.2",
        "positions",
        "minutes",
        guard="not_unanimous",
    ),
)

PROCEDURES: dict[str, Procedure] = {
    p.kind: p for p in (BUILDING, COMPOUND, RESIDENT_GROUP, COMMUNITY, PROPERTY_DISPUTE, JOINT_MEETING)
}


# --- Guards ---------------------------------------------------------------------------------------------------


def _share(policy: Lookup | None, key: str) -> Fraction:
    if policy is None or policy(key) is None:
        raise ValueError(f"this step needs the policy value {key}")
    return Fraction(policy(key))


def _vote_passed(record: Mapping[str, Any]) -> bool:
    vote = record.get("vote")
    return isinstance(vote, Mapping) and vote.get("passed") is True


def _proposal_share(record: Mapping[str, Any], policy: Lookup | None) -> None:
    """HZ-5.1.3.2.1.3: the owners' committee, or 20% 以上 (inclusive) of the owners' representatives (§5#6)."""
    if record.get("proposer") == OC:
        return
    share = _share(policy, "vote.proposal.share")
    signed, base = record.get("signatures"), record.get("representatives")
    if not (
        isinstance(signed, int)
        and isinstance(base, int)
        and base > 0
        and signed * share.denominator >= share.numerator * base
    ):
        raise TransitionRefused("proposal_threshold", share=str(share))


def _unanimity(record: Mapping[str, Any]) -> str:
    """HZ-5.1.1.2 一致通过 read per §5#7: one position per body; each core body present and approving, and no
    body present objecting or abstaining (absence is not consent). The bodies that did not approve, or ''."""
    positions = record.get("positions")
    positions = positions if isinstance(positions, Mapping) else {}
    bodies = dict.fromkeys((*JOINT_MEETING_BODIES, *positions))
    return ", ".join(b for b in bodies if positions.get(b) != "approve")


def _public(channels: Any) -> bool:
    return isinstance(channels, list | tuple | set | frozenset) and bool(PUBLIC_CHANNELS & set(channels))


def _refuse_unless(ok: bool, code: str, **params: str) -> None:
    if not ok:
        raise TransitionRefused(code, **params)


def _unanimous(record: Mapping[str, Any], policy: Lookup | None) -> None:
    missing = _unanimity(record)
    _refuse_unless(not missing, "not_unanimous", missing=missing)


# Guard name → check that raises TransitionRefused (a step's `guard` must be one of these keys).
GUARDS: dict[str, Callable[[Mapping[str, Any], Lookup | None], None]] = {
    "proposal_share": _proposal_share,
    "vote_passed": lambda r, _p: _refuse_unless(_vote_passed(r), "vote_not_passed"),
    "vote_failed": lambda r, _p: _refuse_unless(not _vote_passed(r), "vote_passed"),
    "vote_passed_if_major": lambda r, _p: _refuse_unless(
        not r.get("major_interest") or _vote_passed(r), "vote_not_passed"
    ),
    "unanimous": _unanimous,
    "not_unanimous": lambda r, _p: _refuse_unless(bool(_unanimity(r)), "unanimous"),
    "public_channel": lambda r, _p: _refuse_unless(_public(r.get("channels")), "no_public_channel"),
}


# --- Checking a move, and what the UI shows -------------------------------------------------------------------


def procedure_get(kind: str) -> Procedure:
    if kind not in PROCEDURES:
        raise TransitionRefused("unknown_procedure", kind=kind)
    return PROCEDURES[kind]


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def transition_check(
    kind: str,
    *,
    current: str,
    target: str,
    capacities: Collection[str],
    record: Mapping[str, Any],
    policy: Lookup | None = None,
) -> Transition:
    """The declared transition from `current` to `target`, or TransitionRefused saying why not: an unknown
    procedure or state, a finished deliberation, a skipped or reordered step, an actor without one of the
    step's capacities, a missing record, or a guard that fails."""
    procedure = procedure_get(kind)
    for state in (current, target):
        if state not in procedure.all_states:
            raise TransitionRefused("unknown_state", state=state)
    if current in procedure.terminal:
        raise TransitionRefused("finished", state=current)
    moves = [t for t in procedure.transitions if t.source == current]
    move = next((t for t in moves if t.target == target), None)
    if move is None:
        raise TransitionRefused("out_of_order", current=current, allowed=", ".join(t.target for t in moves))
    if not set(move.actors) & set(capacities):
        raise TransitionRefused("not_allowed", actors=", ".join(move.actors))
    for field in move.records:
        if not _present(record.get(field)):
            raise TransitionRefused("missing_record", field=field)
    if move.guard:
        GUARDS[move.guard](record, policy)
    return move


def next_transitions(kind: str, current: str, capacities: Collection[str]) -> list[Transition]:
    """The moves `capacities` may offer from `current` (the buttons a page shows)."""
    procedure = procedure_get(kind)
    return [t for t in procedure.transitions if t.source == current and set(t.actors) & set(capacities)]


def stepper(kind: str, reached: Sequence[str]) -> list[tuple[str, str]]:
    """The main line as (state, 'done' | 'current' | 'todo') for a deliberation that has reached the states
    `reached` in order; one that left the line (escalated, dropped, not adopted) ends with its own state."""
    procedure = procedure_get(kind)
    current = reached[-1] if reached else NEW
    steps = [(s, "done" if s in reached else "todo") for s in procedure.states]
    if current in procedure.states:
        return [(s, "current" if s == current else status) for s, status in steps]
    off_line = [(s, "current" if s == current else "done") for s in reached if s not in procedure.states]
    return [step for step in steps if step[1] == "done"] + off_line


def missing_participants(move: Transition, present: Collection[str]) -> list[str]:
    """Invited kinds of participant absent from a meeting step (a warning, e.g. BZ-5.2.3's list)."""
    return [p for p in move.participants if p not in set(present)]
