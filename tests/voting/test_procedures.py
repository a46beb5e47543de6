"""voting.procedures: each deliberation procedure of issue 5 §1 as data, swept exhaustively — every declared
step taken by each allowed capacity and refused to every other one, every undeclared move refused (no skipping,
no reordering), every required record, every guard on both sides of its boundary. Pure: no database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gongzhi.accounts.roles import Role
from gongzhi.bodies.kinds import BodyKind
from gongzhi.policy.packs import pack_policy
from gongzhi.policy.schema import CLAUSE_RE
from gongzhi.voting import procedures as p
from gongzhi.voting.procedures import (
    NEW,
    PROCEDURES,
    REFUSALS,
    Transition,
    TransitionRefused,
    missing_participants,
    next_transitions,
    procedure_get,
    stepper,
    transition_check,
)

CATALOGUE = Path("/work/shared/spec/rules_catalogue.md")
HUZHOU = pack_policy("huzhou").value
EXTRA = {p.OWNERS_REPRESENTATIVE, p.HOUSEHOLD_REPRESENTATIVE, p.RESIDENT_GROUP_LEADER}
CAPACITIES = sorted({r.value for r in Role} | {b.value for b in BodyKind} | EXTRA)
ALL_MOVES = [(proc.kind, t) for proc in PROCEDURES.values() for t in proc.transitions]


def good_record(move: Transition) -> dict:
    """A record that satisfies the move: every required field, and what its guard asks for."""
    record: dict = {field: f"{field}.pdf" for field in move.records}
    if move.guard in {"vote_passed", "vote_passed_if_major"}:
        record["vote"] = {"quorum_met": True, "passed": True}
    if move.guard == "vote_failed":
        record["vote"] = {"quorum_met": True, "passed": False}
    if move.guard == "proposal_share":
        record["proposer"] = p.OC
    if move.guard == "public_channel":
        record["channels"] = ["e_screen"]
    if move.guard in {"unanimous", "not_unanimous"}:
        record["positions"] = dict.fromkeys(p.JOINT_MEETING_BODIES, "approve")
        if move.guard == "not_unanimous":
            record["positions"][p.OSC] = "reject"
    return record


def take(kind, move, capacities=None, record=None, policy=HUZHOU):
    return transition_check(
        kind,
        current=move.source,
        target=move.target,
        capacities=capacities if capacities is not None else move.actors[:1],
        record=record if record is not None else good_record(move),
        policy=policy,
    )


def refused(code, *args, **kwargs) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as info:
        take(*args, **kwargs)
    assert info.value.code == code, info.value.params
    return info.value


# --- The declarations -------------------------------------------------------------------------------------------


def test_every_guard_is_used_by_some_step():
    assert {move.guard for _kind, move in ALL_MOVES} - {""} == set(p.GUARDS)


def test_the_procedures_of_issue_5():
    assert set(PROCEDURES) == {
        "building",
        "compound",
        "resident_group",
        "community",
        "property_dispute",
        "joint_meeting",
    }


@pytest.mark.parametrize("kind", PROCEDURES)
def test_main_line_is_a_chain_from_new_and_every_state_is_reachable(kind):
    procedure = PROCEDURES[kind]
    assert procedure.states[0] == NEW
    for source, target in zip(procedure.states, procedure.states[1:], strict=False):
        assert [t.target for t in procedure.transitions if t.source == source][0] == target
    reachable, frontier = {NEW}, [NEW]
    while frontier:
        state = frontier.pop()
        for t in procedure.transitions:
            if t.source == state and t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    assert reachable == set(procedure.all_states)
    assert procedure.states[-1] in procedure.terminal and NEW not in procedure.terminal


@pytest.mark.parametrize(("kind", "move"), ALL_MOVES)
def test_every_step_names_known_actors_a_document_and_a_clause(kind, move):
    assert move.actors and set(move.actors) <= set(CAPACITIES)
    assert move.records[0] == "document"  # who and when are added by the service; the document by the step
    assert CLAUSE_RE.match(move.clause), move.clause
    assert move.guard == "" or move.guard in p.GUARDS
    assert len(set((m.source, m.target) for m in PROCEDURES[kind].transitions)) == len(
        PROCEDURES[kind].transitions
    )


@pytest.mark.skipif(not CATALOGUE.exists(), reason="catalogue not available on this machine")
def test_every_clause_is_a_catalogue_entry():
    headings = set(re.findall(r"^#### (\S+) — ", CATALOGUE.read_text(encoding="utf-8"), re.M))
    clauses = {m.clause for _kind, m in ALL_MOVES} | {proc.clause for proc in PROCEDURES.values()}
    assert clauses <= headings


def test_building_deliberation_order_hz_5_1_3_2_2():
    assert p.BUILDING.states == (
        NEW,
        "collected",
        "screened",
        "meeting_held",
        "voted",
        "notice_posted",
        "evaluated",
    )
    meeting = next(t for t in p.BUILDING.transitions if t.target == "meeting_held")
    assert meeting.participants == (p.GRID_LEADER, p.BUILDING_LEADER, p.HOUSEHOLD_REPRESENTATIVE)  # .2.2.3


def test_compound_deliberation_order_hz_5_1_3_2_1_3():
    assert p.COMPOUND.states == (NEW, "proposed", "consulted", "reviewed", "resolved", "published", "filed")
    reviewed = next(t for t in p.COMPOUND.transitions if t.target == "reviewed")
    assert reviewed.actors == (p.OSC,)


def test_property_dispute_six_steps_cz_iii_6_1():
    assert len(p.PROPERTY_DISPUTE.states) == 7  # NEW + six steps


def test_community_meeting_invites_the_bz_5_2_3_list():
    deliberated = next(t for t in p.COMMUNITY.transitions if t.target == "deliberated")
    assert len(deliberated.participants) == 10
    present = [p.COMMUNITY_PARTY, p.RC, p.OC]
    assert p.PROPERTY_COMPANY in missing_participants(deliberated, present)
    assert p.RC not in missing_participants(deliberated, present)


# --- Every move: allowed actors, other actors, records ------------------------------------------------------------


@pytest.mark.parametrize(("kind", "move"), ALL_MOVES)
def test_each_allowed_capacity_may_take_the_step(kind, move):
    for capacity in move.actors:
        assert take(kind, move, capacities=[capacity]) == move


@pytest.mark.parametrize(("kind", "move"), ALL_MOVES)
def test_every_other_capacity_is_refused(kind, move):
    for capacity in set(CAPACITIES) - set(move.actors):
        error = refused("not_allowed", kind, move, capacities=[capacity])
        assert error.params["actors"] == ", ".join(move.actors)
    refused("not_allowed", kind, move, capacities=[])


@pytest.mark.parametrize(("kind", "move"), ALL_MOVES)
def test_each_required_record_is_required(kind, move):
    for field in move.records:
        for empty in (None, "", [], {}):
            record = good_record(move) | {field: empty}
            if empty is None:
                del record[field]
            assert refused("missing_record", kind, move, record=record).params == {"field": field}


@pytest.mark.parametrize("kind", PROCEDURES)
def test_no_step_can_be_skipped_or_reordered(kind):
    """Every pair of states that is not a declared move is refused, whatever the actor and record."""
    procedure = PROCEDURES[kind]
    declared = {(t.source, t.target) for t in procedure.transitions}
    everyone = CAPACITIES
    for current in procedure.all_states:
        for target in procedure.all_states:
            if (current, target) in declared:
                continue
            with pytest.raises(TransitionRefused) as info:
                transition_check(
                    kind, current=current, target=target, capacities=everyone, record={"document": "x"}
                )
            expected = "finished" if current in procedure.terminal else "out_of_order"
            assert info.value.code == expected, (current, target)


def test_out_of_order_names_the_next_step():
    with pytest.raises(TransitionRefused) as info:
        transition_check(
            "building", current="collected", target="voted", capacities=[p.BUILDING_LEADER], record={}
        )
    assert info.value.params == {"current": "collected", "allowed": "screened, dropped"}
    assert info.value.message() == (
        "From collected the next step is screened, dropped; steps cannot be skipped or reordered."
    )


def test_unknown_procedure_and_state():
    with pytest.raises(TransitionRefused, match="unknown_procedure"):
        procedure_get("referendum")
    with pytest.raises(TransitionRefused) as info:
        transition_check("building", current=NEW, target="elected", capacities=[p.BUILDING_LEADER], record={})
    assert info.value.code == "unknown_state" and info.value.params == {"state": "elected"}


@pytest.mark.parametrize("kind", PROCEDURES)
def test_walk_the_main_line_end_to_end(kind):
    procedure = PROCEDURES[kind]
    state = NEW
    for target in procedure.states[1:]:
        move = next(t for t in procedure.transitions if t.source == state and t.target == target)
        state = take(kind, move).target
    assert state in procedure.terminal


# --- Guards ------------------------------------------------------------------------------------------------------

PROPOSE = next(t for t in p.COMPOUND.transitions if t.target == "proposed")


@pytest.mark.parametrize(
    ("signatures", "representatives", "ok"),
    [(10, 50, True), (9, 50, False), (8, 37, True), (7, 37, False), (0, 0, False)],
)
def test_hz_5_1_3_2_1_3_twenty_percent_of_owners_representatives_inclusive(signatures, representatives, ok):
    record = {
        "document": "p.pdf",
        "proposer": "owners_representatives",
        "signatures": signatures,
        "representatives": representatives,
    }
    if ok:
        assert take("compound", PROPOSE, capacities=[p.OWNERS_REPRESENTATIVE], record=record) == PROPOSE
    else:
        error = refused(
            "proposal_threshold", "compound", PROPOSE, capacities=[p.OWNERS_REPRESENTATIVE], record=record
        )
        assert error.params == {"share": "1/5"}


def test_owners_committee_proposes_without_signatures_and_guard_needs_policy():
    assert take("compound", PROPOSE, capacities=[p.OC], record={"document": "p.pdf", "proposer": p.OC})
    record = {"document": "p.pdf", "proposer": "x", "signatures": 10, "representatives": 50}
    with pytest.raises(ValueError, match="vote.proposal.share"):
        take("compound", PROPOSE, record=record, policy=None)


@pytest.mark.parametrize(("kind", "target"), [("building", "voted"), ("compound", "resolved")])
def test_resolving_needs_a_passed_vote(kind, target):
    move = next(t for t in PROCEDURES[kind].transitions if t.target == target)
    for vote in ({"quorum_met": True, "passed": False}, {"quorum_met": False, "passed": False}, "passed"):
        refused("vote_not_passed", kind, move, record=good_record(move) | {"vote": vote})


@pytest.mark.parametrize("kind", ["building", "compound"])
def test_not_adopted_needs_a_vote_that_failed(kind):
    move = next(t for t in PROCEDURES[kind].transitions if t.target == "not_adopted")
    refused("vote_passed", kind, move, record=good_record(move) | {"vote": {"passed": True}})


def test_a_failed_building_vote_can_go_to_compound_deliberation_hz_5_1_3_2_2_5_2():
    moves = [t.target for t in next_transitions("building", "not_adopted", [p.GRID_LEADER])]
    assert moves == ["passed_to_compound"]


def test_bz_5_2_2_b_major_interest_needs_a_passed_vote():
    move = next(t for t in p.RESIDENT_GROUP.transitions if t.target == "opinion_formed")
    base = {"document": "d", "opinion": "o"}
    assert take("resident_group", move, record=base)
    assert take("resident_group", move, record=base | {"major_interest": True, "vote": {"passed": True}})
    refused("vote_not_passed", "resident_group", move, record=base | {"major_interest": True})


APPROVE = next(t for t in p.JOINT_MEETING.transitions if t.target == "approved")
REJECT = next(t for t in p.JOINT_MEETING.transitions if t.target == "rejected")


def test_hz_5_1_1_2_unanimous_approval_of_every_core_body():
    positions = dict.fromkeys(p.JOINT_MEETING_BODIES, "approve") | {p.PROPERTY_COMPANY: "approve"}
    assert take("joint_meeting", APPROVE, record={"document": "d", "minutes": "m", "positions": positions})
    refused(
        "unanimous", "joint_meeting", REJECT, record={"document": "d", "minutes": "m", "positions": positions}
    )


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({p.OSC: None}, p.OSC),  # absence is not consent (§5#7)
        ({p.OC: "abstain"}, p.OC),
        ({p.COMPOUND_PARTY: "reject"}, p.COMPOUND_PARTY),
        ({p.PROPERTY_COMPANY: "reject"}, p.PROPERTY_COMPANY),  # any body present must agree
    ],
)
def test_section_5_7_absence_abstention_or_objection_is_not_approval(change, missing):
    positions = dict.fromkeys(p.JOINT_MEETING_BODIES, "approve") | change
    positions = {k: v for k, v in positions.items() if v is not None}
    record = {"document": "d", "minutes": "m", "positions": positions}
    assert refused("not_unanimous", "joint_meeting", APPROVE, record=record).params == {"missing": missing}
    assert take("joint_meeting", REJECT, record=record) == REJECT


def test_hz_5_1_3_2_1_3_publication_on_the_notice_board_or_e_screen():
    move = next(t for t in p.COMPOUND.transitions if t.target == "published")
    assert take("compound", move, record={"document": "d", "channels": ["notice_board", "wechat_group"]})
    for channels in (["wechat_group"], "notice_board", {"e_screen": 1}):
        refused("no_public_channel", "compound", move, record={"document": "d", "channels": channels})


# --- What pages show ---------------------------------------------------------------------------------------------


def test_next_transitions_depend_on_the_capacity():
    assert [t.target for t in next_transitions("building", "screened", [p.BUILDING_LEADER])] == [
        "meeting_held",
        "passed_to_compound",
    ]
    assert [t.target for t in next_transitions("building", "screened", [p.RESIDENT])] == []
    assert [t.target for t in next_transitions("building", "collected", [p.GRID_LEADER])] == []


def test_stepper_on_and_off_the_main_line():
    assert stepper("building", [NEW, "collected"])[:3] == [
        (NEW, "done"),
        ("collected", "current"),
        ("screened", "todo"),
    ]
    assert stepper("building", [])[0] == (NEW, "current")
    assert stepper(
        "building", [NEW, "collected", "screened", "meeting_held", "not_adopted", "passed_to_compound"]
    ) == [
        (NEW, "done"),
        ("collected", "done"),
        ("screened", "done"),
        ("meeting_held", "done"),
        ("not_adopted", "done"),
        ("passed_to_compound", "current"),
    ]


def test_every_refusal_has_a_message_and_labels_are_marked_for_translation():
    for code, text in REFUSALS.items():
        assert text and "{" not in text or re.search(r"\{\w+\}", text), code
    assert procedure_get("building").label == "Building deliberation"
    assert (
        TransitionRefused("finished", state="filed")
        .message(lambda s: s.replace("ended", "结束"))
        .count("结束")
        == 1
    )
