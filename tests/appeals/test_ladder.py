"""The escalation ladders per city (catalogue §4.2 #17–#18, §5 #19, #22, #23): routing and escalation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.accounts.roles import Role
from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import BODY_LABELS, CATEGORY_LABELS, TRACK_LABELS
from gongzhi.appeals.ladder import (
    LADDER_ONLY_ROLES,
    SEVERITIES,
    city_ladders,
    escalation_target,
    handler_steps,
    triage_target,
)
from gongzhi.policy.packs import pack_policy
from gongzhi.policy.schema import APPEAL_TRACKS
from gongzhi.tree.levels import Level

from .conftest import CITIES, RELAXED, ladders

CATALOGUE = Path("/work/shared/spec/rules_catalogue.md")
ALL = ("safety", "sanitation", "facilities", "parking", "finances", "property_service", "neighbour_dispute",
       "family_conflict", "resettlement", "other")  # fmt: skip


def codes(city: str, track: str = "general") -> list[str]:
    return [s.code for s in ladders(city).ladder(track).steps]


def _raises(code: str, fn, *args, **kw) -> AppealRuleError:
    with pytest.raises(AppealRuleError) as info:
        fn(*args, **kw)
    assert info.value.code == code
    return info.value


# --- The packs: every city's ladders are complete and well-formed -----------------------------------------


@pytest.mark.parametrize("city", CITIES)
def test_every_category_is_routed_exactly_once_4_2_17(city):
    lad = ladders(city)
    assert set(lad.categories) == set(ALL)
    for category in lad.categories:
        homes = [
            (t, s.code) for t, ladder in lad.tracks.items() for s in ladder.steps if category in s.categories
        ]
        assert len(homes) == 1, (city, category, homes)


@pytest.mark.parametrize("city", CITIES)
def test_top_of_every_track_is_the_terminal_level_4_2_18(city):
    terminal = pack_policy(city).value("escalation.terminal_level")
    assert {ladder.top.level for ladder in ladders(city).tracks.values()} == {terminal}


@pytest.mark.parametrize("city", CITIES)
def test_rungs_use_known_levels_roles_and_labels(city):
    known_roles = {r.value for r in Role} | LADDER_ONLY_ROLES
    for ladder in ladders(city).tracks.values():
        assert ladder.track in APPEAL_TRACKS and ladder.track in TRACK_LABELS
        assert len({s.code for s in ladder.steps}) == len(ladder.steps)
        for step in ladder.steps:
            assert step.level in {lv.value for lv in Level}
            assert step.roles and step.roles <= known_roles, step
            assert step.body in BODY_LABELS
            assert step.categories <= set(CATEGORY_LABELS)


@pytest.mark.skipif(not CATALOGUE.exists(), reason="catalogue not available on this machine")
@pytest.mark.parametrize("city", CITIES)
def test_every_rung_clause_is_a_catalogue_entry(city):
    headings = set(re.findall(r"^#### (\S+) — ", CATALOGUE.read_text(encoding="utf-8"), re.M))
    for ladder in ladders(city).tracks.values():
        for step in ladder.steps:
            for clause in step.clauses:
                assert clause in headings or clause.startswith("§"), (city, step.code, clause)


@pytest.mark.parametrize("city", CITIES)
def test_levels_never_go_down_the_tree_on_a_ladder_3_1(city):
    order = ["building", "compound", "resident_group", "community", "street", "district"]
    for ladder in ladders(city).tracks.values():
        ranks = [order.index(s.level) for s in ladder.steps]
        assert ranks == sorted(ranks)


def test_national_pack_alone_has_no_ladder():
    _raises("no_ladder", city_ladders, pack_policy(""))


# --- Binzhou: resident group → community → street → district -----------------------------------------------


def test_bz_3_1_ladder_is_resident_group_community_street_district():
    assert codes("binzhou") == ["resident_group", "community", "street", "district"]
    assert ladders("binzhou").ladder("general").mode == "sequential_on_failure"


@pytest.mark.parametrize("category", ALL)
def test_bz_5_2_1_every_category_is_first_raised_to_the_resident_group(category):
    route = ladders("binzhou").route(category)
    assert (route.track, route.step.code, route.alert) == ("general", "resident_group", False)
    assert route.clause == "BZ-5.2.1"


def test_bz_5_2_2_c_resident_group_escalates_to_the_community_only():
    ladder = ladders("binzhou").ladder("general")
    esc = escalation_target(ladder, "resident_group", reason="无法协调")
    assert esc.to_step.code == "community" and not esc.skipped and not esc.alert


def test_bz_5_2_3_d_community_escalates_to_the_street_after_a_vote():
    ladder = ladders("binzhou").ladder("general")
    step = ladder.step("community")
    assert step.requires_meeting and step.clause == "BZ-5.2.3(d)"
    assert escalation_target(ladder, "community", reason="社区无法调解").to_step.code == "street"


def test_bz_5_2_4_1_c_street_escalates_to_the_district():
    ladder = ladders("binzhou").ladder("general")
    assert ladder.step("street").requires_meeting
    assert escalation_target(ladder, "street", reason="街道无法调解").to_step.code == "district"


def test_bz_4_1_a_the_district_is_final():
    ladder = ladders("binzhou").ladder("general")
    err = _raises("ladder_top_final", escalation_target, ladder, "district", reason="再上报")
    assert err.clause == "BZ-4.1(a)" and err.kind == "conflict"


def test_bz_skipping_a_level_is_refused_for_a_normal_case_5_22():
    ladder = ladders("binzhou").ladder("general")
    err = _raises(
        "skip_not_allowed", escalation_target, ladder, "resident_group", reason="x", to_step="street"
    )
    assert err.kind == "forbidden" and err.clause == "§5#22"


@pytest.mark.parametrize("severity", ["major", "emergency"])
def test_bz_major_or_emergency_may_skip_levels_with_an_alert_5_19(severity):
    ladder = ladders("binzhou").ladder("general")
    esc = escalation_target(
        ladder, "resident_group", reason="群体事件", severity=severity, to_step="district"
    )
    assert esc.to_step.code == "district" and esc.alert
    assert [s.code for s in esc.skipped] == ["community", "street"]


def test_bz_escalation_needs_a_reason_5_22():
    ladder = ladders("binzhou").ladder("general")
    _raises("reason_required", escalation_target, ladder, "resident_group", reason="  ")


def test_bz_escalation_only_goes_up():
    ladder = ladders("binzhou").ladder("general")
    _raises(
        "not_above", escalation_target, ladder, "street", reason="x", severity="major", to_step="community"
    )
    _raises("step_unknown", escalation_target, ladder, "compound", reason="x")


def test_bz_major_case_still_starts_at_the_resident_group_but_alerts_5_19():
    route = ladders("binzhou").route("safety", severity="emergency")
    assert route.step.code == "resident_group" and route.alert


def test_bz_handler_rungs_by_role_and_level_4_4_a():
    tracks = ladders("binzhou").tracks.values()
    assert [s.code for _l, s in handler_steps(tracks, "resident_group_leader", "resident_group")] == [
        "resident_group"
    ]
    assert handler_steps(tracks, "community_worker", "street") == []


# --- Ningbo: triage by difficulty ------------------------------------------------------------------------


def test_nb_4_6_2_ladder_and_difficulty_tiers():
    ladder = ladders("ningbo").ladder("general")
    assert codes("ningbo") == ["compound", "community", "street"]
    assert ladder.mode == "triage_by_difficulty"
    assert [triage_target(ladder, d).code for d in ("simple", "general", "complex")] == codes("ningbo")


@pytest.mark.parametrize("category", ALL)
def test_nb_5_23_the_first_handler_in_the_compound_receives_every_category(category):
    assert ladders("ningbo").route(category).step.code == "compound"


def test_nb_4_6_2_a_known_difficulty_routes_to_its_tier():
    assert ladders("ningbo").route("parking", difficulty="complex").step.code == "street"
    assert ladders("ningbo").route("parking", difficulty="general").step.code == "community"


def test_nb_5_23_only_the_community_reclassifies():
    assert ladders("ningbo").reclassify_steps == {"community"}


def test_nb_place_without_a_compound_starts_at_the_community_4_6_2():
    route = ladders("ningbo").route("sanitation", present_levels={"community", "street", "district"})
    assert route.step.code == "community"
    _raises("no_level_here", ladders("ningbo").route, "sanitation", present_levels={"district"})


def test_nb_unknown_difficulty_and_triage_elsewhere():
    _raises("difficulty_unknown", triage_target, ladders("ningbo").ladder("general"), "hard")
    _raises("triage_not_used", triage_target, ladders("binzhou").ladder("general"), "simple")


# --- Cangzhou: property ladder and general matters ------------------------------------------------------


def test_cz_iii_6_2_property_ladder():
    assert codes("cangzhou", "property") == ["property_manager", "tripartite", "street_pmc"]
    ladder = ladders("cangzhou").ladder("property")
    assert ladder.step("tripartite").roles == {
        "community_worker",
        "owners_committee_member",
        "property_staff",
    }
    assert ladder.step("tripartite").requires_meeting


@pytest.mark.parametrize("category", ["property_service", "facilities", "parking", "sanitation", "finances"])
def test_cz_iii_6_2_property_matters_go_to_the_community_property_manager(category):
    route = ladders("cangzhou").route(category)
    assert (route.track, route.step.code) == ("property", "property_manager")


@pytest.mark.parametrize(
    "category", ["safety", "neighbour_dispute", "family_conflict", "resettlement", "other"]
)
def test_cz_iv_1_2_other_matters_go_to_the_community(category):
    route = ladders("cangzhou").route(category)
    assert (route.track, route.step.code) == ("general", "community")


@pytest.mark.parametrize("severity", ["major", "emergency"])
def test_cz_iii_6_2_major_property_problems_go_straight_to_the_street_pmc(severity):
    route = ladders("cangzhou").route("property_service", severity=severity)
    assert route.step.code == "street_pmc" and route.alert


def test_cz_iii_6_2_coordination_goes_to_the_tripartite_meeting_then_the_street_pmc():
    ladder = ladders("cangzhou").ladder("property")
    assert escalation_target(ladder, "property_manager", reason="需要协调").to_step.code == "tripartite"
    assert escalation_target(ladder, "tripartite", reason="协商未果").to_step.code == "street_pmc"
    _raises("ladder_top_final", escalation_target, ladder, "street_pmc", reason="x")


def test_cz_iv_1_2_complex_general_matters_go_to_the_street_which_is_final():
    ladder = ladders("cangzhou").ladder("general")
    assert escalation_target(ladder, "community", reason="复杂问题").to_step.code == "street"
    _raises("ladder_top_final", escalation_target, ladder, "street", reason="x")


# --- Huzhou: building matters and disputes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "track", "step"),
    [
        ("facilities", "general", "building"),
        ("sanitation", "general", "building"),
        ("safety", "general", "building"),
        ("parking", "general", "compound"),
        ("property_service", "general", "compound"),
        ("finances", "general", "compound"),
        ("other", "general", "compound"),
        ("resettlement", "general", "community"),
        ("neighbour_dispute", "dispute", "onsite"),
        ("family_conflict", "dispute", "onsite"),
    ],
)
def test_hz_5_1_3_2_2_5_2_routing_to_the_lowest_level_that_handles_it(category, track, step):
    route = ladders("huzhou").route(category)
    assert (route.track, route.step.code) == (track, step)


def test_hz_5_1_3_2_2_5_2_building_matters_unresolved_on_site_go_to_the_compound_council():
    ladder = ladders("huzhou").ladder("general")
    assert codes("huzhou") == ["building", "compound", "community", "street"]
    esc = escalation_target(ladder, "building", reason="现场解决不了")
    assert esc.to_step.body == "compound_deliberation_council"


def test_hz_a_3_2_1_above_the_compound_community_then_street_office():
    ladder = ladders("huzhou").ladder("general")
    assert escalation_target(ladder, "compound", reason="x").to_step.code == "community"
    assert escalation_target(ladder, "community", reason="x").to_step.code == "street"


def test_hz_a_6_1_2_4_disputes_onsite_then_station_then_street_centre():
    ladder = ladders("huzhou").ladder("dispute")
    assert codes("huzhou", "dispute") == ["onsite", "community_mediation", "street_mediation"]
    assert escalation_target(ladder, "onsite", reason="调解无效").to_step.code == "community_mediation"
    _raises("ladder_top_final", escalation_target, ladder, "street_mediation", reason="x")


def test_hz_a_6_1_2_4_mass_incident_may_go_to_the_street_at_once():
    ladder = ladders("huzhou").ladder("dispute")
    esc = escalation_target(
        ladder, "onsite", reason="群体上访", severity="emergency", to_step="street_mediation"
    )
    assert esc.alert and [s.code for s in esc.skipped] == ["community_mediation"]


def test_unknown_category_severity_and_track_are_refused():
    lad = ladders("huzhou")
    _raises("category_unknown", lad.route, "noise")
    _raises("severity_unknown", lad.route, "parking", severity="urgent")
    _raises("track_unknown", lad.ladder, "property")


# --- Properties over every city and rung ----------------------------------------------------------------

RUNGS = [
    (city, track, i, j)
    for city in CITIES
    for track, ladder in ladders(city).tracks.items()
    for i in range(len(ladder.steps))
    for j in range(len(ladder.steps))
]


@RELAXED
@given(rung=st.sampled_from(RUNGS), severity=st.sampled_from(SEVERITIES))
def test_escalation_never_skips_a_level_unless_major_or_emergency_5_22(rung, severity):
    city, track, i, j = rung
    ladder = ladders(city).ladder(track)
    src, dst = ladder.steps[i].code, ladder.steps[j].code
    try:
        esc = escalation_target(ladder, src, reason="理由", severity=severity, to_step=dst)
    except AppealRuleError as exc:
        top = i == len(ladder.steps) - 1
        expected = "ladder_top_final" if top else "not_above" if j <= i else "skip_not_allowed"
        assert exc.code == expected
        assert severity == "normal" or exc.code != "skip_not_allowed"
        return
    assert j > i
    assert j == i + 1 or severity in ("major", "emergency")
    assert esc.alert == (severity != "normal")
    assert len(esc.skipped) == j - i - 1


@RELAXED
@given(city=st.sampled_from(CITIES), category=st.sampled_from(ALL), severity=st.sampled_from(SEVERITIES))
def test_routing_lands_on_a_rung_that_handles_the_category_or_takes_major_cases(city, category, severity):
    lad = ladders(city)
    route = lad.route(category, severity=severity)
    ladder = lad.ladder(route.track)
    entry = next(s for s in ladder.steps if category in s.categories)
    assert ladder.index(route.step.code) >= ladder.index(entry.code)
    assert route.step == entry or (severity != "normal" and route.step.takes_major)


def test_the_ladder_reads_plainly_on_the_nodes_policy_page_bz_3_1():
    value = pack_policy("binzhou").get("appeals.ladder.general")
    assert value.value_text.startswith(
        "resident_group (resident_group: resident_group_leader; BZ-5.2.1), community"
    )
    assert str(value.value).startswith("[resident_group (")
