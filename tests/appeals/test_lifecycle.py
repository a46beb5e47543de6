"""The appeal case lifecycle as data (issue 4 §1; CZ-IV.1#2, BZ-3.1, BZ-5.2.*, NB-4.6.2, §5 #22, #23, #27)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import STATE_LABELS, TRANSITION_LABELS
from gongzhi.appeals.lifecycle import (
    _EFFECTS,
    FINAL_STATES,
    OPEN_STATES,
    SUBMITTER,
    SYSTEM,
    TRANSITIONS,
    CaseKey,
    State,
    allowed_transitions,
    apply,
    find_duplicate,
    households_speaking,
    linked_groups,
)

from .conftest import CITIES, NOW, RELAXED, case, ladders

RGL = ("resident_group_leader", "resident_group")
CW = ("community_worker", "community")
SO = ("street_officer", "street")
DO = ("district_officer", "district")


def act(c, name, who, data=None, now=NOW):
    role, level = who if isinstance(who, tuple) else (who, "")
    return apply(name, c, actor_role=role, actor_level=level, now=now, data=data or {}).case


def refused(code, c, name, who, data=None, now=NOW):
    role, level = who if isinstance(who, tuple) else (who, "")
    with pytest.raises(AppealRuleError) as info:
        apply(name, c, actor_role=role, actor_level=level, now=now, data=data or {})
    assert info.value.code == code, info.value
    return info.value


# --- The declaration ---------------------------------------------------------------------------------------


def test_every_transition_has_an_effect_a_label_and_a_clause():
    assert set(TRANSITIONS) == set(_EFFECTS) == set(TRANSITION_LABELS)
    assert set(STATE_LABELS) == {s.value for s in State}
    assert all(t.clause for t in TRANSITIONS.values())


def test_final_states_have_no_way_out_and_every_state_is_reachable():
    sources = {s for t in TRANSITIONS.values() for s in t.sources}
    targets = {t.target for t in TRANSITIONS.values() if t.target} | {State.SUBMITTED}
    assert not (sources & FINAL_STATES)
    assert targets == set(State)
    assert OPEN_STATES | {State.RESOLVED} == sources


# --- Binzhou: the whole way up, a real attempt at each level ----------------------------------------------


def test_bz_3_1_a_case_climbs_level_by_level_and_the_district_resolves_it_finally():
    c = case("binzhou")
    c = act(c, "accept", RGL)
    c = act(c, "record_progress", RGL, {"note": "组长入户了解"})
    c = act(c, "escalate", RGL, {"reason": "小组无法协调"})
    assert (c.state, c.step) == (State.SUBMITTED, "community")
    c = act(c, "accept", CW)
    refused("meeting_required", c, "escalate", CW, {"reason": "x"})
    c = act(c, "convene_meeting", CW, {"deliberation": "议事记录-1"})
    c = act(c, "escalate", CW, {"reason": "社区层面无法调解"})
    c = act(c, "accept", SO)
    c = act(c, "convene_meeting", SO, {"deliberation": "周会-12"})
    c = act(c, "escalate", SO, {"reason": "街道层面无法调解"})
    assert c.step == "district"
    c = act(c, "accept", DO)
    refused("ladder_top_final", c, "escalate", DO, {"reason": "x"})
    c = act(c, "resolve", DO, {"resolution": "区里协调解决：…"})
    assert c.state == State.RESOLVED and c.resolved_at == NOW
    refused("ladder_top_final", c, "request_escalation", SUBMITTER, {"reason": "不满意"})
    c = act(c, "confirm", SUBMITTER, {"rating": 5})
    assert c.state == State.CLOSED


def test_bz_5_2_2_c_no_escalation_before_the_resident_group_tried_5_22():
    err = refused("not_attempted", case("binzhou"), "escalate", RGL, {"reason": "直接上报"})
    assert err.kind == "conflict"
    c = case("binzhou", state=State.IN_PROGRESS)  # in progress but never accepted here (data from elsewhere)
    refused("not_attempted", c, "escalate", RGL, {"reason": "x"})


def test_bz_escalation_without_a_reason_is_refused_and_changes_nothing():
    c = act(case("binzhou"), "accept", RGL)
    refused("field_required", c, "escalate", RGL, {"reason": "  "})
    assert (c.state, c.step) == (State.IN_PROGRESS, "resident_group")


def test_bz_normal_case_cannot_skip_to_the_street_5_22():
    c = act(case("binzhou"), "accept", RGL)
    refused("skip_not_allowed", c, "escalate", RGL, {"reason": "x", "to_step": "street"})


@pytest.mark.parametrize("severity", ["major", "emergency"])
def test_bz_major_case_skips_at_once_and_raises_an_alert_5_19(severity):
    c = case("binzhou", severity=severity)
    applied = apply(
        "escalate",
        c,
        actor_role=RGL[0],
        actor_level=RGL[1],
        now=NOW,
        data={"reason": "火灾隐患", "to_step": "street"},
    )
    assert applied.alert and applied.case.step == "street"
    assert applied.record["skipped"] == ["community"] and applied.from_step == "resident_group"


def test_bz_only_the_current_levels_roles_handle_4_4_a():
    c = case("binzhou")
    refused("not_allowed", c, "accept", CW)
    refused("not_allowed", c, "accept", ("resident_group_leader", "community"))
    refused("not_allowed", c, "accept", ("resident", "resident_group"))
    refused("not_allowed", c, "accept", SUBMITTER)
    assert act(c, "accept", RGL).state == State.IN_PROGRESS


def test_bz_4_1_f_the_levels_above_supervise_with_a_due_date_7_2():
    c = act(case("binzhou"), "accept", RGL)
    assert "supervise" in allowed_transitions(c.state, *CW, c)
    assert "supervise" in allowed_transitions(c.state, *DO, c)
    assert "supervise" not in allowed_transitions(c.state, *RGL, c)
    refused("due_in_past", c, "supervise", CW, {"due": NOW.date()})
    refused("due_invalid", c, "supervise", CW, {"due": "2026-03-09"})
    c2 = act(c, "supervise", CW, {"due": dt.date(2026, 3, 9), "note": "请尽快办理"})
    assert c2.supervision_due == dt.date(2026, 3, 9) and c2.state == c.state
    refused("not_allowed", c, "supervise", RGL, {"due": dt.date(2026, 3, 9)})


def test_wrong_state_is_a_conflict_already_changed():
    c = case("binzhou")
    err = refused("wrong_state", c, "resolve", RGL, {"resolution": "x"})
    assert err.kind == "conflict"
    closed = replace(c, state=State.CLOSED)
    assert allowed_transitions(closed.state, *RGL, closed) == []


def test_unknown_transition_and_unknown_field_and_naive_time():
    c = case("binzhou")
    refused("transition_unknown", c, "approve", RGL)
    refused("field_unknown", c, "accept", RGL, {"colour": "red"})
    refused("naive_datetime", c, "accept", RGL, now=NOW.replace(tzinfo=None))


# --- Handling at one level ---------------------------------------------------------------------------------


def test_ask_for_information_and_the_submitter_answers():
    c = act(case("binzhou"), "accept", RGL)
    c = act(c, "request_info", RGL, {"question": "请提供照片"})
    assert c.state == State.AWAITING_INFO
    refused("not_allowed", c, "provide_info", RGL, {"answer": "x"})
    c = act(c, "record_progress", RGL, {"note": "等待回复"})
    c = act(c, "provide_info", SUBMITTER, {"answer": "已上传"})
    assert c.state == State.IN_PROGRESS


def test_transfer_goes_sideways_at_the_same_level_and_waits_for_acceptance():
    c = act(case("cangzhou", "property"), "accept", ("community_property_manager", "community"))
    who = ("community_property_manager", "community")
    err = refused(
        "transfer_not_sideways", c, "transfer", who, {"to_unit": 9, "to_level": "street", "reason": "x"}
    )
    assert err.params == {"level": "community"}
    c = act(c, "transfer", who, {"to_unit": 9, "to_level": "community", "reason": "属另一社区"})
    assert (c.state, c.step) == (State.SUBMITTED, "property_manager")


def test_resolution_must_be_written():
    c = act(case("binzhou"), "accept", RGL)
    refused("field_required", c, "resolve", RGL, {"resolution": ""})
    refused("field_required", c, "resolve", RGL)


# --- Closing: rating, reopening once, asking for escalation, no response (§5 #27) -------------------------


def _resolved(city="binzhou"):
    c = act(case(city), "accept", ladders_first_handler(city))
    return act(c, "resolve", ladders_first_handler(city), {"resolution": "已处理"})


def ladders_first_handler(city):
    step = ladders(city).ladder("general").bottom
    return (sorted(step.roles)[0], step.level)


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_5_27_submitter_confirms_with_a_rating_from_1_to_5(rating):
    assert act(_resolved(), "confirm", SUBMITTER, {"rating": rating}).state == State.CLOSED


@pytest.mark.parametrize("rating", [0, 6, "5", True, 4.0, None])
def test_5_27_ratings_outside_the_scale_are_refused(rating):
    code = "field_required" if rating is None else "rating_invalid"
    refused(code, _resolved(), "confirm", SUBMITTER, {"rating": rating})


def test_5_27_dissatisfied_reopens_once_at_the_same_level():
    c = act(_resolved(), "reopen", SUBMITTER, {"reason": "没有解决", "rating": 2})
    assert (c.state, c.step, c.reopened) == (State.IN_PROGRESS, "resident_group", ("resident_group",))
    c = act(c, "resolve", RGL, {"resolution": "再次处理"})
    assert "reopen" not in allowed_transitions(c.state, SUBMITTER, "", c)
    refused("reopen_used", c, "reopen", SUBMITTER, {"reason": "还是不行"})
    c = act(c, "request_escalation", SUBMITTER, {"reason": "请上级处理"})
    assert (c.state, c.step) == (State.SUBMITTED, "community")


def test_5_27_a_satisfied_rating_cannot_reopen():
    refused("rating_says_satisfied", _resolved(), "reopen", SUBMITTER, {"reason": "x", "rating": 4})
    refused(
        "rating_says_satisfied", _resolved(), "request_escalation", SUBMITTER, {"reason": "x", "rating": 5}
    )


def test_reopened_at_one_level_may_reopen_again_at_the_next():
    c = act(_resolved(), "reopen", SUBMITTER, {"reason": "x"})
    c = act(c, "escalate", RGL, {"reason": "y"})
    c = act(act(c, "accept", CW), "resolve", CW, {"resolution": "z"})
    assert "reopen" in allowed_transitions(c.state, SUBMITTER, "", c)


def test_5_27_no_answer_in_7_days_closes_as_no_response():
    c = _resolved()
    assert allowed_transitions(c.state, SYSTEM, "", c, now=NOW + dt.timedelta(days=6)) == []
    refused(
        "confirmation_window_open", c, "close_no_response", SYSTEM, now=NOW + dt.timedelta(days=6, hours=23)
    )
    c = act(c, "close_no_response", SYSTEM, now=NOW + dt.timedelta(days=7))
    assert c.state == State.CLOSED_NO_RESPONSE


def test_only_the_system_closes_for_no_response_and_only_the_submitter_rates():
    c = _resolved()
    refused("not_allowed", c, "close_no_response", RGL, now=NOW + dt.timedelta(days=8))
    refused("not_allowed", c, "confirm", RGL, {"rating": 5})


# --- Ningbo: the first handler triages, the community reclassifies (§5 #23) --------------------------------

CMP = ("grid_worker", "compound")
NCW = ("community_worker", "community")


def test_nb_4_6_2_simple_stays_in_the_compound_and_is_being_handled():
    c = act(case("ningbo"), "triage", CMP, {"difficulty": "simple"})
    assert (c.state, c.step, c.difficulty) == (State.IN_PROGRESS, "compound", "simple")


def test_nb_4_6_2_complex_goes_to_the_street_to_be_accepted():
    c = act(case("ningbo"), "triage", CMP, {"difficulty": "complex"})
    assert (c.state, c.step) == (State.SUBMITTED, "street")


def test_nb_5_23_the_community_reclassifies_with_a_reason():
    c = act(case("ningbo"), "triage", CMP, {"difficulty": "general"})
    assert c.step == "community"
    refused("field_required", c, "triage", NCW, {"difficulty": "simple"})
    c = act(c, "triage", NCW, {"difficulty": "simple", "reason": "小区可自行解决"})
    assert (c.state, c.step) == (State.SUBMITTED, "compound")
    refused("reclassify_not_allowed", c, "triage", CMP, {"difficulty": "complex", "reason": "x"})


def test_nb_5_23_the_first_handler_classifies_instead_of_plainly_accepting():
    c = case("ningbo")
    offered = allowed_transitions(c.state, *CMP, c)
    assert "triage" in offered and "accept" not in offered and "escalate" not in offered
    refused("triage_first", c, "accept", CMP)
    major = case("ningbo", severity="major")
    assert act(major, "escalate", CMP, {"reason": "火情", "to_step": "street"}).step == "street"


def test_nb_triage_is_not_offered_where_the_pack_does_not_triage():
    c = case("binzhou")
    assert "triage" not in allowed_transitions(c.state, *RGL, c)
    refused("triage_not_used", c, "triage", RGL, {"difficulty": "simple"})


def test_nb_4_3_3_escalation_is_step_by_step_after_triage():
    c = act(case("ningbo"), "triage", CMP, {"difficulty": "simple"})
    c = act(c, "escalate", CMP, {"reason": "小区资源不足"})
    assert c.step == "community"


# --- Cangzhou: the tripartite meeting meets before the street PMC (CZ-III.6#2) -----------------------------


def test_cz_iii_6_2_tripartite_consults_before_raising_to_the_street_pmc():
    pm = ("community_property_manager", "community")
    tri = ("owners_committee_member", "community")
    c = act(act(case("cangzhou", "property"), "accept", pm), "escalate", pm, {"reason": "需要三方协调"})
    assert c.step == "tripartite"
    refused("not_allowed", c, "accept", pm)
    c = act(c, "accept", tri)
    refused("meeting_required", c, "escalate", tri, {"reason": "x"})
    c = act(c, "convene_meeting", tri, {"deliberation": "三方协商会"})
    c = act(c, "escalate", tri, {"reason": "协商未果"})
    assert c.step == "street_pmc"
    assert act(c, "accept", SO).state == State.IN_PROGRESS


def test_cz_iv_1_2_the_property_manager_supervises_nothing_above_himself():
    c = case("cangzhou", "property", "tripartite")
    pm = ("community_property_manager", "community")
    assert allowed_transitions(c.state, *pm, c) == []
    assert "supervise" in allowed_transitions(c.state, *SO, c)


# --- Huzhou: building matters ------------------------------------------------------------------------------

BL = ("building_leader", "building")


def test_hz_5_1_3_2_2_5_2_building_leader_then_compound_council():
    c = act(act(case("huzhou"), "accept", BL), "escalate", BL, {"reason": "现场解决不了"})
    assert c.step == "compound"
    c = act(c, "accept", ("owners_committee_member", "compound"))
    assert c.state == State.IN_PROGRESS


def test_hz_a_6_1_2_4_mass_incident_escalates_without_acceptance_and_alerts():
    c = case("huzhou", "dispute", severity="emergency")
    applied = apply("escalate", c, actor_role=BL[0], actor_level=BL[1], now=NOW, data={"reason": "群体冲突"})
    assert applied.alert and applied.case.step == "community_mediation"


# --- One household speaks once; many households linked (BZ-5.2.1) -----------------------------------------


def test_bz_5_2_1_duplicates_of_one_household_merge():
    c = act(case("binzhou", household="h1", id=2), "merge", RGL, {"into_case": 1, "into_household": "h1"})
    assert c.state == State.MERGED
    refused(
        "merge_other_household", case("binzhou", id=2), "merge", RGL, {"into_case": 1, "into_household": "h2"}
    )
    refused("merge_self", case("binzhou", id=2), "merge", RGL, {"into_case": 2, "into_household": "h1"})


def test_bz_5_2_1_other_households_are_linked_not_merged():
    c = act(case("binzhou", id=2), "link", RGL, {"with_case": 3, "with_household": "h2"})
    assert c.state == State.SUBMITTED
    refused(
        "link_same_household", case("binzhou", id=2), "link", RGL, {"with_case": 3, "with_household": "h1"}
    )
    refused("link_self", case("binzhou", id=2), "link", RGL, {"with_case": 2, "with_household": "h9"})


def test_bz_5_2_1_find_duplicate_same_household_category_place():
    old = [
        CaseKey(1, "h1", "parking", "b1"),
        CaseKey(2, "h2", "parking", "b1"),
        CaseKey(3, "h1", "safety", "b1"),
    ]
    assert find_duplicate(CaseKey(9, "h1", "parking", "b1"), old).id == 1
    assert find_duplicate(CaseKey(9, "h1", "parking", "b2"), old) is None
    assert find_duplicate(CaseKey(1, "h1", "parking", "b1"), old[:1]) is None


def test_bz_5_2_4_1_b_linked_cases_count_each_household_once():
    groups = linked_groups([1, 2, 3, 4, 5], [(1, 2), (2, 3)])
    assert sorted(map(sorted, groups)) == [[1, 2, 3], [4], [5]]
    big = next(g for g in groups if 1 in g)
    assert households_speaking(big, {1: "h1", 2: "h2", 3: "h1"}) == 2


@RELAXED
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=20))
def test_linked_groups_partition_the_cases_and_keep_linked_pairs_together(links):
    groups = linked_groups(range(10), links)
    assert sorted(x for g in groups for x in g) == list(range(10))
    for a, b in links:
        assert any(a in g and b in g for g in groups)


# --- allowed_transitions and apply agree; random walks never skip a level ----------------------------------

ACTORS = [
    (role, step.level)
    for city in CITIES
    for ladder in ladders(city).tracks.values()
    for step in ladder.steps
    for role in step.roles
] + [(SUBMITTER, ""), (SYSTEM, ""), ("resident", "")]

DATA = {
    "accept": {},
    "triage": {"difficulty": "general", "reason": "r"},
    "record_progress": {"note": "n"},
    "request_info": {"question": "q"},
    "provide_info": {"answer": "a"},
    "transfer": {"to_unit": 7, "reason": "r"},
    "convene_meeting": {"deliberation": "d"},
    "resolve": {"resolution": "r"},
    "escalate": {"reason": "r"},
    "supervise": {"due": NOW.date() + dt.timedelta(days=3)},
    "confirm": {"rating": 4},
    "reopen": {"reason": "r"},
    "request_escalation": {"reason": "r"},
    "close_no_response": {},
    "merge": {"into_case": 99, "into_household": "h1"},
    "link": {"with_case": 98, "with_household": "h2"},
}


def _data(name, c):
    data = dict(DATA[name])
    if name == "transfer":
        data["to_level"] = c.current.level
    return data


@st.composite
def cases(draw):
    city = draw(st.sampled_from(CITIES))
    lad = ladders(city)
    track = draw(st.sampled_from(sorted(lad.tracks)))
    ladder = lad.ladder(track)
    step = draw(st.sampled_from([s.code for s in ladder.steps]))
    c = case(
        city,
        track,
        step,
        state=draw(st.sampled_from(list(State))),
        severity=draw(st.sampled_from(["normal", "major", "emergency"])),
        difficulty=draw(st.sampled_from([None, "simple", "general", "complex"])),
        resolved_at=NOW - dt.timedelta(days=draw(st.integers(0, 10))),
    )
    codes = [s.code for s in ladder.steps]
    return replace(
        c,
        accepted_steps=frozenset(draw(st.sets(st.sampled_from(codes)))),
        meeting_steps=frozenset(draw(st.sets(st.sampled_from(codes)))),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=cases(), actor=st.sampled_from(ACTORS))
def test_every_offered_transition_applies_and_every_other_is_refused(c, actor):
    offered = set(allowed_transitions(c.state, *actor, c, now=NOW))
    for name in TRANSITIONS:
        try:
            apply(name, c, actor_role=actor[0], actor_level=actor[1], now=NOW, data=_data(name, c))
        except AppealRuleError as exc:
            assert name not in offered, (name, exc)
            continue
        assert name in offered, name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    c=cases(),
    choices=st.lists(
        st.tuples(st.sampled_from(sorted(TRANSITIONS)), st.sampled_from(ACTORS), st.booleans()), max_size=25
    ),
)
def test_random_walks_move_up_one_rung_at_a_time_unless_major_or_triaged_5_22(c, choices):
    for name, actor, skip in choices:
        data = _data(name, c)
        if name == "escalate" and skip:
            data["to_step"] = c.ladder.top.code
        try:
            applied = apply(name, c, actor_role=actor[0], actor_level=actor[1], now=NOW, data=data)
        except AppealRuleError:
            continue
        ladder = c.ladder
        moved = ladder.index(applied.to_step) - ladder.index(applied.from_step)
        if name in ("escalate", "request_escalation"):
            assert moved == 1 or (name == "escalate" and c.severity != "normal")
            assert moved >= 1
        elif name != "triage":
            assert moved == 0
        c = applied.case
