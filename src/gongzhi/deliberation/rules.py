"""Topics and their deliberation, as pure Python (issue 5 §1). No Django.

The procedures themselves (states in order, who acts, what each step records, guards) are declared once in
gongzhi.voting.procedures; this module builds on them and adds what a topic needs around them:
- where a topic comes from (HZ-5.1.3.2.1.1) and at which level of the tree each procedure runs;
- which capacities an account's roles and body memberships give it (the procedures speak of capacities);
- `advance()`: the one move of a deliberation, refusing skipped or reordered steps and missing records;
- the must-deliberate catalogue (NB-3.2.1): a listed matter is decided only with a deliberation record;
- what kind of input each record field takes, so pages and the API draw the current step's form from data.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gongzhi.voting import procedures as p
from gongzhi.voting.i18n import _

# HZ-5.1.3.2.1.1 议题收集: the channels a topic comes in by, and appeals (issue 5 §1: a handler turns an appeal
# into a topic).
SOURCES: dict[str, str] = {
    "building_leader_visit": _("Building leader's visit"),
    "grid_leader_visit": _("Grid leader's visit"),
    "resident_to_committee": _("Resident to the owners' committee"),
    "mailbox": _("Suggestion mailbox"),
    "owners_group": _("Owners' group"),
    "reception_day": _("Reception day"),
    "appeal": _("Appeal"),
}

# The level of the tree each procedure runs on (the node a topic of that kind belongs to).
PROCEDURE_LEVELS: dict[str, frozenset[str]] = {
    "building": frozenset({"building", "stairwell"}),  # HZ-5.1.3.2.2: 楼道 (stairwell) or building
    "compound": frozenset({"compound"}),  # HZ-5.1.3.2.1.3
    "resident_group": frozenset({"resident_group"}),  # BZ-5.2.2
    "community": frozenset({"community"}),  # BZ-5.2.3
    "property_dispute": frozenset({"compound", "resident_group"}),  # CZ-III.6#1 (a compound's dispute)
    "joint_meeting": frozenset({"compound"}),  # HZ-5.1.1.2
}

# Account roles → the capacities the procedures name (accounts.roles.Role values). A community worker acts for
# the residents' committee, an owners' committee member also records the assembly's resolution.
ROLE_CAPACITIES: dict[str, tuple[str, ...]] = {
    "community_worker": (p.COMMUNITY_WORKER, p.RC),
    "grid_leader": (p.GRID_LEADER,),
    "grid_worker": (p.GRID_WORKER,),
    "building_leader": (p.BUILDING_LEADER,),
    "owners_committee_member": (p.OC, p.ASSEMBLY),
    "supervisory_committee_member": (p.OSC,),
    "property_staff": (p.PROPERTY_STAFF, p.PROPERTY_COMPANY),
    "resident": (p.RESIDENT,),
    "owners_representative": (p.OWNERS_REPRESENTATIVE,),  # HZ-5.1.3.2.1.3: proposes with 20% of them
}
# Body kinds (bodies.kinds.BodyKind) whose members act in that body's name; a resident group's members in
# the group leader's (BZ-5.2.2: the group leader convenes).
BODY_CAPACITIES: dict[str, str] = {
    "community_party_org": p.COMMUNITY_PARTY,
    "compound_party_org": p.COMPOUND_PARTY,
    "residents_committee": p.RC,
    "owners_general_assembly": p.ASSEMBLY,
    "owners_committee": p.OC,
    "owners_supervisory_committee": p.OSC,
    "property_company": p.PROPERTY_COMPANY,
    "community_pmc": p.COMMUNITY_PMC,
    "resident_group": p.RESIDENT_GROUP_LEADER,
}

# How each record field is entered. text: free text; choice: one of CHOICES[field]; count: a whole number ≥ 0;
# list: several values (one a line, or CHOICES); vote: a linked vote or a show of hands (services turn either
# into {"passed": bool, ...}); positions: one position per body; file: an upload (its stored name).
FIELD_KINDS: dict[str, str] = {
    "document": "text",
    "source": "choice",
    "format": "choice",
    "attendance": "list",
    "minutes": "text",
    "vote": "vote",
    "photo": "file",
    "appraisal": "text",
    "reason": "text",
    "proposer": "choice",
    "opinion": "text",
    "channels": "list",
    "filing_reference": "text",
    "invitees": "list",
    "plan": "text",
    "outcome": "text",
    "implementer": "text",
    "feedback": "text",
    "decision": "text",
    "project": "text",
    "positions": "positions",
    "tracking_log": "text",
}
FIELD_LABELS: dict[str, str] = {
    "document": _("Document or summary"),
    "source": _("Source"),
    "format": _("Format"),
    "attendance": _("Attendance"),
    "minutes": _("Minutes"),
    "vote": _("Vote"),
    "photo": _("Photo of the notice"),
    "appraisal": _("Residents' evaluation"),
    "reason": _("Reason"),
    "proposer": _("Proposed by"),
    "opinion": _("Opinion"),
    "channels": _("Published on"),
    "filing_reference": _("Filing reference"),
    "invitees": _("Invitees"),
    "plan": _("Plan"),
    "outcome": _("Outcome"),
    "implementer": _("Who implements"),
    "feedback": _("Feedback to residents"),
    "decision": _("Decision"),
    "project": _("Project"),
    "positions": _("Each body's position"),
    "tracking_log": _("Tracking log"),
}
FORMATS = {"on_site": _("On site"), "online": _("Online")}  # HZ-5.1.3.2.2.3 线上或线下
CHANNELS = {"notice_board": _("Notice board"), "e_screen": _("E-screen"), "online": _("Online")}
POSITIONS = {"approve": _("Approve"), "object": _("Object"), "abstain": _("Abstain"), "absent": _("Absent")}
CHOICES: dict[str, Mapping[str, str]] = {
    "source": SOURCES,
    "format": FORMATS,
    "proposer": {p.OC: _("Owners' committee"), p.OWNERS_REPRESENTATIVE: _("Owners' representatives")},
    "channels": CHANNELS,
}
# Extra inputs a field brings with it (a proposal by representatives carries its signature count).
COMPANIONS: dict[str, tuple[str, ...]] = {"proposer": ("signatures", "representatives")}


@dataclass(frozen=True)
class Advance:
    """The outcome of one allowed move: the new state, the step taken and participants invited but absent."""

    state: str
    transition: p.Transition
    absent: tuple[str, ...]
    finished: bool


def advance(
    kind: str,
    *,
    history: Sequence[str],
    target: str,
    capacities: Collection[str],
    record: Mapping[str, Any],
    policy: p.Lookup | None = None,
) -> Advance:
    """Move a deliberation whose states so far are `history` (NEW first) to `target`, or raise
    procedures.TransitionRefused. The current state is the last of `history`; only a declared transition from
    it is allowed (no skipping, no reordering, nothing after the end), by an actor holding one of the step's
    capacities, with every record field the step names, and past the step's guard."""
    current = history[-1] if history else p.NEW
    move = p.transition_check(
        kind, current=current, target=target, capacities=capacities, record=record, policy=policy
    )
    present = record.get("attendance") or ()
    absent = tuple(p.missing_participants(move, present)) if move.participants else ()
    return Advance(target, move, absent, target in p.procedure_get(kind).terminal)


def capacities_of(roles: Collection[str], body_kinds: Collection[str]) -> frozenset[str]:
    """The capacities an actor holds at a topic, from the roles and body memberships that reach its node."""
    out = {c for role in roles for c in ROLE_CAPACITIES.get(role, ())}
    out |= {BODY_CAPACITIES[k] for k in body_kinds if k in BODY_CAPACITIES}
    return frozenset(out)


def level_allows(kind: str, level: str) -> bool:
    return level in PROCEDURE_LEVELS.get(kind, frozenset())


def deliberated(history: Sequence[str], kind: str) -> bool:
    """Whether a deliberation has a record of having deliberated: it passed a step that records minutes (a
    meeting, a consultation, a joint meeting) — the 'deliberation record' NB-3.2.1 asks of a listed matter."""
    procedure = p.procedure_get(kind)
    meeting_states = {t.target for t in procedure.transitions if "minutes" in t.records}
    return bool(meeting_states & set(history))


def decision_refusal(*, matter: str, catalogue: Collection[str], kind: str, history: Sequence[str]) -> str:
    """NB-3.2.1 必议事项: a matter of a kind in the community's must-deliberate catalogue cannot be marked
    decided without a deliberation record. '' when deciding is allowed, else a refusal code."""
    if matter not in catalogue:
        return ""
    if not kind:
        return "must_deliberate"
    return "" if deliberated(history, kind) else "must_deliberate"


def step_labels(kind: str) -> dict[str, str]:
    """Each state's label: the step that leads into it (the first state: the topic's registration)."""
    procedure = p.procedure_get(kind)
    labels = {p.NEW: _("Topic registered")}
    for t in procedure.transitions:
        labels.setdefault(t.target, t.label)
    return labels
