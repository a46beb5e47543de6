"""deliberation.rules around voting.procedures: advance() for every declared procedure, the must-deliberate
catalogue (NB-3.2.1), sources (HZ-5.1.3.2.1.1), levels and capacities."""

from __future__ import annotations

import pytest

from gongzhi.deliberation import rules
from gongzhi.voting import procedures as p
from gongzhi.voting.procedures import NEW, PROCEDURES, TransitionRefused

POLICY = {"vote.proposal.share": "1/5"}.get


def full_record(move: p.Transition) -> dict:
    record: dict = {f: "x" for f in move.records}
    record["vote"] = {"passed": move.guard != "vote_failed"}
    record["proposer"] = p.OC
    record["channels"] = ["notice_board"]
    record["positions"] = {b: "approve" for b in p.JOINT_MEETING_BODIES}
    record["attendance"] = list(move.participants)
    return record


def walk(kind: str) -> list[str]:
    history = [NEW]
    procedure = PROCEDURES[kind]
    for target in procedure.states[1:]:
        move = next(t for t in procedure.transitions if t.source == history[-1] and t.target == target)
        done = rules.advance(
            kind,
            history=history,
            target=target,
            capacities=move.actors,
            record=full_record(move),
            policy=POLICY,
        )
        assert done.state == target and done.absent == ()
        history.append(done.state)
    return history


@pytest.mark.parametrize("kind", list(PROCEDURES))
def test_each_procedure_runs_its_main_line_in_order(kind):
    """HZ-5.1.3.2.2.1–.7, HZ-5.1.3.2.1.3, BZ-5.2.2, BZ-5.2.3, CZ-III.6#1, HZ-5.1.1.2: every main line runs."""
    assert walk(kind) == list(PROCEDURES[kind].states)


@pytest.mark.parametrize("kind", list(PROCEDURES))
def test_no_step_can_be_skipped(kind):
    states = PROCEDURES[kind].states
    for i in range(len(states) - 2):
        for later in states[i + 2 :]:
            with pytest.raises(TransitionRefused) as exc:
                rules.advance(kind, history=list(states[: i + 1]), target=later, capacities=[], record={})
            assert exc.value.code == "out_of_order"


@pytest.mark.parametrize("kind", list(PROCEDURES))
def test_no_step_goes_back(kind):
    states = PROCEDURES[kind].states
    with pytest.raises(TransitionRefused) as exc:
        rules.advance(kind, history=list(states[:3]), target=states[1], capacities=[], record={})
    assert exc.value.code == "out_of_order"


@pytest.mark.parametrize("kind", list(PROCEDURES))
def test_every_record_a_step_names_is_required(kind):
    for move in PROCEDURES[kind].transitions:
        for field in move.records:
            record = {k: v for k, v in full_record(move).items() if k != field}
            with pytest.raises(TransitionRefused) as exc:
                rules.advance(
                    kind,
                    history=[move.source],
                    target=move.target,
                    capacities=move.actors,
                    record=record,
                    policy=POLICY,
                )
            assert exc.value.code == "missing_record" and exc.value.params["field"] == field


def test_building_steps_are_taken_by_the_building_leader_only():
    """HZ-5.1.3.2.2.1: the building leader collects and screens; a resident cannot."""
    with pytest.raises(TransitionRefused) as exc:
        rules.advance(
            "building",
            history=[NEW],
            target="collected",
            capacities=[p.RESIDENT],
            record={"document": "d", "source": "mailbox"},
        )
    assert exc.value.code == "not_allowed"


def test_building_meeting_step_warns_of_absent_invitees():
    """HZ-5.1.3.2.2.3: grid leader, building leader and household representatives take part."""
    done = rules.advance(
        "building",
        history=[NEW, "collected", "screened"],
        target="meeting_held",
        capacities=[p.BUILDING_LEADER],
        record={"document": "d", "format": "on_site", "attendance": [p.BUILDING_LEADER], "minutes": "m"},
    )
    assert done.absent == (p.GRID_LEADER, p.HOUSEHOLD_REPRESENTATIVE)


def test_a_failed_building_vote_cannot_be_posted_as_adopted():
    """HZ-5.1.3.2.2.5: the notice follows a passed vote; a failed one is recorded as not adopted."""
    history = [NEW, "collected", "screened", "meeting_held"]
    failed = {"document": "d", "vote": {"passed": False}}
    with pytest.raises(TransitionRefused) as exc:
        rules.advance(
            "building", history=history, target="voted", capacities=[p.BUILDING_LEADER], record=failed
        )
    assert exc.value.code == "vote_not_passed"
    done = rules.advance(
        "building", history=history, target="not_adopted", capacities=[p.BUILDING_LEADER], record=failed
    )
    assert done.state == "not_adopted"


@pytest.mark.parametrize(("signed", "ok"), [(19, False), (20, True), (21, True)])
def test_compound_proposal_needs_a_fifth_of_the_representatives(signed, ok):
    """HZ-5.1.3.2.1.3: 20% 以上 of the owners' representatives, inclusive, from the pack."""
    record = {
        "document": "d",
        "proposer": p.OWNERS_REPRESENTATIVE,
        "signatures": signed,
        "representatives": 100,
    }
    if ok:
        assert (
            rules.advance(
                "compound",
                history=[NEW],
                target="proposed",
                capacities=[p.OWNERS_REPRESENTATIVE],
                record=record,
                policy=POLICY,
            ).state
            == "proposed"
        )
    else:
        with pytest.raises(TransitionRefused) as exc:
            rules.advance(
                "compound",
                history=[NEW],
                target="proposed",
                capacities=[p.OWNERS_REPRESENTATIVE],
                record=record,
                policy=POLICY,
            )
        assert exc.value.code == "proposal_threshold"


def test_joint_meeting_needs_every_body():
    """HZ-5.1.1.2 一致通过 per §5#7: one body absent or objecting refuses approval."""
    positions = {p.COMPOUND_PARTY: "approve", p.OC: "approve", p.OSC: "absent"}
    with pytest.raises(TransitionRefused) as exc:
        rules.advance(
            "joint_meeting",
            history=[NEW, "proposed"],
            target="approved",
            capacities=[p.OC],
            record={"document": "d", "positions": positions, "minutes": "m"},
        )
    assert exc.value.code == "not_unanimous"


def test_nothing_moves_after_the_end():
    history = walk("building")
    with pytest.raises(TransitionRefused) as exc:
        rules.advance(
            "building", history=history, target="collected", capacities=[p.BUILDING_LEADER], record={}
        )
    assert exc.value.code == "finished"


def test_a_listed_matter_needs_a_deliberation_record():
    """NB-3.2.1: a matter on the must-deliberate catalogue cannot be decided before its meeting step."""
    assert (
        rules.decision_refusal(matter="fees", catalogue=["fees"], kind="building", history=[NEW, "collected"])
        == "must_deliberate"
    )
    assert (
        rules.decision_refusal(matter="fees", catalogue=["fees"], kind="", history=[NEW]) == "must_deliberate"
    )
    done = [NEW, "collected", "screened", "meeting_held"]
    assert rules.decision_refusal(matter="fees", catalogue=["fees"], kind="building", history=done) == ""
    assert rules.decision_refusal(matter="other", catalogue=["fees"], kind="building", history=[NEW]) == ""


def test_sources_are_the_channels_of_hz_5_1_3_2_1_1_and_appeals():
    assert set(rules.SOURCES) == {
        "building_leader_visit",
        "grid_leader_visit",
        "resident_to_committee",
        "mailbox",
        "owners_group",
        "reception_day",
        "appeal",
    }


def test_every_procedure_has_a_level_and_every_record_field_a_kind():
    assert set(rules.PROCEDURE_LEVELS) == set(PROCEDURES)
    fields = {f for proc in PROCEDURES.values() for t in proc.transitions for f in t.records}
    assert fields <= set(rules.FIELD_KINDS) and fields <= set(rules.FIELD_LABELS)


def test_capacities_come_from_roles_and_bodies():
    assert rules.capacities_of(["building_leader"], []) == {p.BUILDING_LEADER}
    assert rules.capacities_of([], ["owners_supervisory_committee", "unknown"]) == {p.OSC}
    assert p.RC in rules.capacities_of(["community_worker"], [])
