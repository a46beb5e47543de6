"""directives.rules: access control (CZ-IV.6#2, CZ-IV.6#3, NB-4.5.1, NB-4.5.2), "six ones" (BZ-5.1.1.3(a)),
deadlines down the cascade, roll-up, and the BZ-7.2 assessment arithmetic."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from gongzhi.directives import rules
from gongzhi.directives.rules import ItemKind, State, Step, Unit

FORBIDDEN = (
    "enforcement",
    "demolition",
    "environmental_rectification",
    "urban_management",
    "investment_attraction",
)
POLICY = rules.PushPolicy(
    access_control=True,
    access_clause="CZ-IV.6#2",
    statutory_refused=True,
    statutory_clause="CZ-IV.6#2",
    forbidden_kinds=frozenset(FORBIDDEN),
    forbidden_clause="CZ-IV.6#3",
    assisted_needs_support=True,
    assisted_clause="NB-4.5.2",
)
COUNTY, COMMUNITY, ELSEWHERE = "0001", "000100010001", "000200010001"
D = dt.date(2026, 3, 31)


def refusal(kind: str | None, *, target: str = COMMUNITY, staff: str = "", fen: int = 0, policy=POLICY):
    item = None if kind is None else rules.Item(kind, COUNTY)
    return rules.push_refusal(policy, target_path=target, item=item, staff=staff, funding_fen=fen)


def test_cz_iv_6_2_work_pushed_onto_a_residents_committee_must_cite_the_access_list():
    assert refusal(None) == rules.Refusal("access_item_required", "CZ-IV.6#2")


def test_cz_iv_6_2_the_item_must_be_on_the_targets_own_county_list():
    assert refusal(ItemKind.ALLOWED, target=ELSEWHERE) == rules.Refusal(
        "access_item_other_county", "CZ-IV.6#2"
    )


def test_cz_iv_6_2_an_allowed_item_passes():
    assert refusal(ItemKind.ALLOWED) is None


def test_cz_iv_6_2_statutory_government_duties_are_refused():
    assert refusal(ItemKind.STATUTORY) == rules.Refusal("statutory_duty", "CZ-IV.6#2", "statutory_duty")


@pytest.mark.parametrize("kind", FORBIDDEN)
def test_cz_iv_6_3_forbidden_kinds_are_refused_with_their_clause(kind):
    assert refusal(kind, staff="2名", fen=100) == rules.Refusal("forbidden_kind", "CZ-IV.6#3", kind)


def test_cz_iv_6_3_every_forbidden_kind_is_a_kind_of_item():
    assert set(FORBIDDEN) <= {k.value for k in ItemKind}


@pytest.mark.parametrize(
    ("staff", "fen", "refused"),
    [("", 0, True), ("2名", 0, True), ("", 5000, True), (" ", 5000, True), ("2名", 1, False)],
)
def test_nb_4_5_2_assisted_items_need_staff_and_funding(staff, fen, refused):
    got = refusal(ItemKind.ASSISTED, staff=staff, fen=fen)
    assert (got == rules.Refusal("assisted_needs_support", "NB-4.5.2", "assisted")) is refused
    assert (got is None) is (not refused)


def test_nb_4_5_1_a_pack_without_access_control_admits_anything():
    off = rules.PushPolicy(**{**POLICY.__dict__, "access_control": False})
    assert refusal(None, policy=off) is None and refusal("demolition", policy=off) is None


@pytest.mark.parametrize(
    ("source", "target", "onto"),
    [
        ("street", "community", True),
        ("district", "community", True),
        ("district", "street", False),
        ("community", "compound", False),
        ("community", "resident_group", False),
    ],
)
def test_cz_iv_6_2_only_work_from_above_lands_on_the_residents_committee(source, target, onto):
    assert rules.pushes_onto_residents_committee(source, target) is onto


def test_bz_5_1_1_3_six_ones_all_required():
    full = {name: "x" for name in rules.SIX_ONES}
    assert rules.six_ones_missing(full) == []
    for name in rules.SIX_ONES:
        assert rules.six_ones_missing({**full, name: "  "}) == [name]


def test_split_deadline_not_later_than_the_parent():
    assert rules.deadline_refusal(D, D) is None
    assert rules.deadline_refusal(D - dt.timedelta(days=1), D) is None
    assert rules.deadline_refusal(D + dt.timedelta(days=1), D) == "deadline_after_parent"


def test_is_child_one_level_down_only():
    assert rules.is_child("0001", "00010002", 4)
    assert not rules.is_child("0001", "000100020003", 4)
    assert not rules.is_child("0001", "00020001", 4)
    assert not rules.is_child("0001", "0001", 4)


@pytest.mark.parametrize(
    ("step", "allowed"),
    [
        (Step.ACKNOWLEDGE, {State.RECEIVED}),
        (Step.SPLIT, {State.ACKNOWLEDGED, State.IN_PROGRESS}),
        (Step.REPORT, {State.ACKNOWLEDGED, State.IN_PROGRESS}),
        (Step.COMPLETE, {State.ACKNOWLEDGED, State.IN_PROGRESS}),
    ],
)
def test_lifecycle_steps_from_each_state(step, allowed):
    assert {s for s in State if rules.step_allowed(step, s)} == allowed


def test_lifecycle_targets():
    assert rules.state_after(Step.ACKNOWLEDGE, "received") == "acknowledged"
    assert rules.state_after(Step.REPORT, "acknowledged") == "in_progress"
    assert rules.state_after(Step.SPLIT, "acknowledged") == "acknowledged"
    assert rules.state_after(Step.COMPLETE, "in_progress") == "completed"


def test_steps_open_hide_split_below_community_and_complete_while_children_open():
    assert rules.steps_open("acknowledged", "compound", False) == [Step.REPORT, Step.COMPLETE]
    assert rules.steps_open("acknowledged", "street", True) == [Step.SPLIT, Step.REPORT]
    assert rules.steps_open("completed", "street", False) == []


def _tree(today_states):
    # street 1 → communities 2 and 3; community 2 → compound 4
    (s1, p1), (s2, p2), (s3, p3), (s4, p4) = today_states
    return [
        Unit(1, None, s1, p1, D),
        Unit(2, 1, s2, p2, D - dt.timedelta(days=5)),
        Unit(3, 1, s3, p3, D),
        Unit(4, 2, s4, p4, D - dt.timedelta(days=10), None),
    ]


def test_roll_up_mean_of_children_while_open():
    units = _tree([("acknowledged", 0), ("acknowledged", 90), ("in_progress", 50), ("in_progress", 30)])
    got = rules.roll_up(units, D - dt.timedelta(days=20))
    assert got[4].percent == 30 and got[2].percent == 30  # community 2's own 90 is its children's work
    assert got[3].percent == 50 and got[1].percent == 40
    assert got[1].children == [2, 3]


def test_roll_up_overdue_counts_the_subtree():
    units = _tree([("acknowledged", 0), ("acknowledged", 0), ("in_progress", 50), ("in_progress", 30)])
    got = rules.roll_up(units, D - dt.timedelta(days=7))  # past compound 4's deadline, not the others'
    assert got[4].overdue and not got[2].overdue
    assert got[2].overdue_below == 1 and got[1].overdue_below == 1 and got[3].overdue_below == 0


def test_roll_up_completed_is_100_and_never_overdue():
    units = [Unit(1, None, "completed", 40, D, D), Unit(2, 1, "completed", 100, D, D)]
    got = rules.roll_up(units, D + dt.timedelta(days=30))
    assert got[1].percent == 100 and not got[1].overdue and not got[1].late


def test_roll_up_rounds_down_exactly():
    units = [
        Unit(1, None, "acknowledged", 0, D),
        *(Unit(i, 1, "in_progress", p, D) for i, p in ((2, 33), (3, 34), (4, 34))),
    ]
    assert rules.roll_up(units, D)[1].percent == 33  # 101/3


def test_summary_rolls_up_to_the_issuer_and_completes_when_all_do():
    open_ = [Unit(1, None, "completed", 100, D, D), Unit(2, None, "in_progress", 50, D)]
    assert rules.summary(open_, D) == rules.Summary(75, False, 0)
    done = [Unit(1, None, "completed", 100, D, D), Unit(2, None, "completed", 100, D, D)]
    assert rules.summary(done, D) == rules.Summary(100, True, 0)
    assert rules.summary([], D) == rules.Summary(0, False, 0)


def test_late_completion_is_flagged():
    unit = Unit(1, None, "completed", 100, D, D + dt.timedelta(days=1))
    assert rules.roll_up([unit], D + dt.timedelta(days=2))[1].late


def test_bz_7_2_quarter_and_month_bounds():
    assert rules.quarter_bounds(2026, 1) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert rules.quarter_bounds(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert rules.month_bounds(2024, 2) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert rules.month_bounds(2025, 12) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    with pytest.raises(ValueError):
        rules.quarter_bounds(2026, 5)


def test_bz_7_2_quarterly_on_time_rate():
    start, end = rules.quarter_bounds(2026, 1)
    units = [
        Unit(1, None, "completed", 100, dt.date(2026, 2, 1), dt.date(2026, 1, 30)),  # on time
        Unit(2, None, "completed", 100, dt.date(2026, 2, 1), dt.date(2026, 2, 3)),  # late
        Unit(3, None, "in_progress", 50, dt.date(2026, 2, 10)),  # open past due
        Unit(4, None, "in_progress", 50, dt.date(2026, 3, 30)),  # not yet due
        Unit(5, None, "completed", 100, dt.date(2026, 4, 2), dt.date(2026, 3, 1)),  # next quarter
    ]
    got = rules.assess(units, start, end, dt.date(2026, 3, 1))
    assert (got.due, got.on_time, got.late, got.overdue_open, got.pending) == (4, 1, 1, 1, 1)
    assert got.rate == Fraction(1, 3)


def test_bz_7_2_rate_is_none_when_nothing_was_due():
    start, end = rules.quarter_bounds(2026, 2)
    assert rules.assess([], start, end, dt.date(2026, 4, 1)).rate is None
