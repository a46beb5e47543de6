"""voting.tally: owners' assemblies (LAW-CC-278 counted per LAW-SPC-8/9, LAW-CC-1259) and building meetings
(HZ-5.1.3.2.2.5, §5#1, §5#4, §5#5). Pure: no database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from gongzhi.voting.tally import (
    MAJOR_ITEMS,
    Ballot,
    Comparison,
    Dwelling,
    HouseholdBallot,
    Measure,
    Rejection,
    area_text,
    tally_assembly,
    tally_building,
)
from gongzhi.voting.thresholds import pack_thresholds

T = pack_thresholds()


def dw(id_: str, area: str, *owners: str, unsold: bool = False) -> Dwelling:
    return Dwelling(id_, int(Decimal(area) * 100), frozenset(owners), unsold)


def yes(dwelling: str, voter: str) -> Ballot:
    return Ballot(dwelling, voter, "yes")


def no(dwelling: str, voter: str) -> Ballot:
    return Ballot(dwelling, voter, "no")


def abstain(dwelling: str, voter: str) -> Ballot:
    return Ballot(dwelling, voter, "abstain")


def count(item, dwellings, ballots, thresholds=T):
    return tally_assembly(item=item, dwellings=dwellings, ballots=ballots, thresholds=thresholds)


def check(result, name: str) -> Comparison:
    return next(c for c in result.comparisons if c.name == name)


def one_each(n: int, area: str = "100") -> list[Dwelling]:
    """n dwellings of equal area, each with its own owner p0..p(n-1)."""
    return [dw(f"d{i}", area, f"p{i}") for i in range(n)]


def votes(choices: str) -> list[Ballot]:
    """'yyna' → d0 yes, d1 yes, d2 no, d3 abstain, each by its owner."""
    kinds = {"y": "yes", "n": "no", "a": "abstain"}
    return [Ballot(f"d{i}", f"p{i}", kinds[c]) for i, c in enumerate(choices)]


# --- The issue's example (issue 5 §3) ----------------------------------------------------------------------


def spec_example() -> tuple[list[Dwelling], list[Ballot]]:
    """7 owners, 1000.00 m²; six take part (800.00 m²), three approve (450.00 m²); ballot 4 is a stranger's."""
    areas = ["200", "150", "100", "100", "100", "150", "200"]
    dwellings = [dw(f"d{i}", a, f"p{i}") for i, a in enumerate(areas)]
    ballots = [yes("d0", "p0"), yes("d1", "p1"), yes("d2", "p2"), no("d3", "p3"), yes("d6", "p9")]
    ballots += [no("d4", "p4"), no("d5", "p5")]
    return dwellings, ballots


def test_law_cc_278_issue_example_quorum_met_but_headcount_not_over_half():
    result = count(5, *spec_example())
    assert (result.quorum_met, result.passed) == (True, False)
    assert result.headcount == Measure(total=7, participating=6, approving=3)
    assert result.area == Measure(total=100000, participating=80000, approving=45000)
    assert result.rejected == (Rejection(4, "voter_not_owner", (("dwelling", "d6"), ("voter", "p9"))),)
    assert result.basis == ("LAW-CC-278", "LAW-SPC-9")
    assert check(result, "pass.area").met and not check(result, "pass.headcount").met


# --- Quorum: 三分之二以上 of area AND of headcount (LAW-CC-278, LAW-CC-1259 inclusive) -------------------------


def test_law_cc_1259_quorum_exactly_two_thirds_of_area_is_met():
    """national_law.md: 2/3 of 300.30 m² is 200.20 m², and exactly 200.20 m² meets the quorum."""
    dwellings = [dw("a", "100.10", "p1"), dw("b", "100.10", "p2"), dw("c", "100.10", "p3")]
    result = count(1, dwellings, [yes("a", "p1"), yes("b", "p2")])
    assert check(result, "quorum.area") == Comparison(
        "quorum.area", 20020, ">=", Fraction(2, 3), 30030, "LAW-CC-278"
    )
    assert check(result, "quorum.area").met and result.quorum_met and result.passed


def test_law_cc_1259_quorum_one_hundredth_below_two_thirds_of_area_is_not_met():
    dwellings = [dw("a", "100.09", "p1"), dw("b", "100.10", "p2"), dw("c", "100.11", "p3")]
    result = count(1, dwellings, [yes("a", "p1"), yes("b", "p2")])  # 200.19 of 300.30
    assert not check(result, "quorum.area").met
    assert check(result, "quorum.headcount").met  # 2 of 3 owners
    assert (result.quorum_met, result.passed) == (False, False)


@pytest.mark.parametrize(
    ("owners", "voting", "met"), [(9, 6, True), (9, 5, False), (3, 2, True), (10, 7, True)]
)
def test_law_cc_278_quorum_headcount_at_two_thirds(owners, voting, met):
    """A dwelling of 0.01 m² for all but the voters keeps the area quorum met, so only headcount decides."""
    dwellings = [dw(f"d{i}", "100" if i < voting else "0.01", f"p{i}") for i in range(owners)]
    result = count(2, dwellings, votes("y" * voting))
    assert check(result, "quorum.area").met
    assert check(result, "quorum.headcount").met is met
    assert result.quorum_met is met and result.passed is met


def test_law_cc_278_no_quorum_never_passes_even_if_unanimous():
    result = count(5, one_each(4), votes("y"))
    assert not result.quorum_met and not result.passed
    assert result.headcount == Measure(4, 1, 1)


# --- Approval: items 6–8 need 四分之三以上 (inclusive); others 过半数 (strict) ----------------------------------


@pytest.mark.parametrize("item", sorted(MAJOR_ITEMS))
def test_law_cc_278_major_items_pass_at_exactly_three_quarters(item):
    result = count(item, one_each(4), votes("yyyn"))
    assert result.major
    assert check(result, "pass.headcount") == Comparison(
        "pass.headcount", 3, ">=", Fraction(3, 4), 4, "LAW-CC-278"
    )
    assert check(result, "pass.area").met and check(result, "pass.headcount").met
    assert result.passed


@pytest.mark.parametrize("item", sorted(MAJOR_ITEMS))
def test_law_cc_278_major_items_fail_just_below_three_quarters(item):
    result = count(item, one_each(8), votes("yyyyynnn"))  # 5/8 < 3/4
    assert result.quorum_met and not result.passed


def test_law_cc_278_major_item_area_just_below_three_quarters_fails_although_headcount_passes():
    dwellings = [dw("a", "74.99", "p1"), dw("b", "25.01", "p2"), dw("c", "0.01", "p3"), dw("d", "0.01", "p4")]
    result = count(7, dwellings, [yes("a", "p1"), no("b", "p2"), yes("c", "p3"), yes("d", "p4")])
    assert check(result, "pass.headcount").met  # 3 of 4
    assert not check(result, "pass.area").met  # 75.01 of 100.02 m²: 7501 × 4 < 3 × 10002
    assert not result.passed


@pytest.mark.parametrize("item", [1, 2, 3, 4, 5, 9])
def test_law_cc_1259_ordinary_items_exactly_half_fails(item):
    result = count(item, one_each(4), votes("yynn"))
    assert not result.major
    assert check(result, "pass.headcount") == Comparison(
        "pass.headcount", 2, ">", Fraction(1, 2), 4, "LAW-CC-1259"
    )
    assert result.quorum_met and not result.passed


@pytest.mark.parametrize("item", [1, 5, 9])
def test_law_cc_1259_ordinary_items_just_over_half_pass(item):
    dwellings = [dw("a", "50.01", "p1"), dw("b", "49.99", "p2"), dw("c", "50", "p3")]
    result = count(item, dwellings, [yes("a", "p1"), no("b", "p2"), yes("c", "p3")])
    assert result.passed  # 2 of 3 owners, 100.01 of 150.00 m²


def test_law_cc_1259_ordinary_area_exactly_half_fails_though_headcount_passes():
    dwellings = [dw("a", "10", "p1"), dw("b", "10", "p2"), dw("c", "80", "p3")]
    result = count(5, dwellings, [yes("a", "p1"), yes("b", "p2"), no("c", "p3")])
    assert check(result, "pass.headcount").met and not check(result, "pass.area").met
    assert not result.passed


def test_law_cc_278_headcount_and_area_are_both_required():
    """One owner of a large dwelling against two small ones: area passes, headcount does not, and back."""
    dwellings = [dw("big", "200", "p1"), dw("s1", "50", "p2"), dw("s2", "50", "p3")]
    big_yes = count(5, dwellings, [yes("big", "p1"), no("s1", "p2"), no("s2", "p3")])
    assert check(big_yes, "pass.area").met and not check(big_yes, "pass.headcount").met
    small_yes = count(5, dwellings, [no("big", "p1"), yes("s1", "p2"), yes("s2", "p3")])
    assert check(small_yes, "pass.headcount").met and not check(small_yes, "pass.area").met
    assert not big_yes.passed and not small_yes.passed


def test_pack_switch_ordinary_strict_false_lets_exactly_half_pass():
    result = count(5, one_each(4), votes("yynn"), replace(T, ordinary_strict=False))
    assert check(result, "pass.headcount").op == ">=" and result.passed


def test_law_cc_278_abstention_participates_without_approving():
    abstaining = count(5, one_each(3), votes("yna"))
    assert abstaining.headcount == Measure(3, 3, 1) and abstaining.area == Measure(30000, 30000, 10000)
    assert abstaining.quorum_met and not abstaining.passed
    assert count(5, one_each(3), votes("yya")).passed  # 2 of 3 participating


def test_law_cc_278_abstention_counts_towards_quorum():
    assert count(5, one_each(3), votes("ya")).quorum_met


def test_nobody_agreeing_never_passes_even_on_zero_areas():
    dwellings = [dw("a", "0", "p1"), dw("b", "0", "p2")]
    result = count(6, dwellings, [abstain("a", "p1"), abstain("b", "p2")])
    assert not result.quorum_met and not result.passed  # no participating area at all
    assert not count(6, one_each(2), votes("aa")).passed


def test_empty_roll_has_no_quorum():
    result = count(1, [], [])
    assert result.headcount == Measure(0, 0, 0) and not result.quorum_met and not result.passed


# --- Headcount per LAW-SPC-9, area per LAW-SPC-8 --------------------------------------------------------------


def test_law_spc_9_unsold_dwellings_together_are_one_person_and_their_area_counts():
    dwellings = [dw(f"u{i}", "100", "developer", unsold=True) for i in range(3)]
    dwellings += [dw("s1", "100", "p1"), dw("s2", "100", "p2")]
    result = count(5, dwellings, [])
    assert result.headcount.total == 3  # the developer, p1, p2
    assert result.area.total == 50000  # LAW-SPC-8: sold or not


def test_law_spc_9_unsold_dwellings_are_one_person_whoever_is_listed():
    dwellings = [
        dw("u1", "50", "dev-a", unsold=True),
        dw("u2", "50", "dev-b", unsold=True),
        dw("s", "10", "p1"),
    ]
    result = count(5, dwellings, [yes("u1", "dev-a"), yes("u2", "dev-b")])
    assert result.headcount == Measure(2, 1, 1) and result.area.participating == 10000


def test_law_spc_9_same_owners_across_dwellings_are_one_person():
    dwellings = [
        dw("a", "100", "p1"),
        dw("b", "80", "p1"),
        dw("c", "60", "p1", "p2"),
        dw("d", "60", "p2", "p1"),
    ]
    result = count(5, dwellings, [yes("a", "p1"), yes("b", "p1"), yes("c", "p2"), yes("d", "p1")])
    assert result.headcount == Measure(total=2, participating=2, approving=2)
    assert result.area == Measure(30000, 30000, 30000)


def test_law_spc_9_a_person_participates_with_any_dwelling_but_only_voted_area_counts():
    dwellings = [dw("a", "100", "p1"), dw("b", "80", "p1"), dw("c", "60", "p2")]
    result = count(5, dwellings, [yes("a", "p1")])
    assert result.headcount == Measure(2, 1, 1)
    assert result.area == Measure(24000, 10000, 10000)


def test_law_spc_9_a_sold_dwelling_without_listed_owners_is_its_own_person():
    dwellings = [dw("a", "100"), dw("b", "100"), dw("c", "100", "p1")]
    assert count(5, dwellings, []).headcount.total == 3


def test_law_spc_9_different_choices_of_one_person_reject_all_of_them():
    dwellings = [dw("a", "100", "p1"), dw("b", "80", "p1"), dw("c", "60", "p1"), dw("d", "60", "p2")]
    ballots = [yes("a", "p1"), no("b", "p1"), yes("c", "p1"), yes("d", "p2")]
    result = count(5, dwellings, ballots)
    assert [(r.index, r.code) for r in result.rejected] == [(i, "person_conflict") for i in range(3)]
    assert dict(result.rejected[0].params) == {"dwellings": "a, b, c"}
    assert result.headcount == Measure(2, 1, 1) and result.area.participating == 6000


def test_law_spc_9_unsold_dwellings_voting_differently_are_all_rejected():
    dwellings = [dw("u1", "50", "dev", unsold=True), dw("u2", "50", "dev", unsold=True), dw("s", "10", "p1")]
    result = count(5, dwellings, [yes("u1", "dev"), no("u2", "dev"), yes("s", "p1")])
    assert [r.code for r in result.rejected] == ["person_conflict", "person_conflict"]
    assert result.headcount == Measure(2, 1, 1)


# --- Ballots: one per dwelling, co-owners, rejections with reasons -------------------------------------------


def test_identical_co_owner_ballots_count_once_and_are_not_rejected():
    dwellings = [dw("a", "100", "p1", "p2"), dw("b", "100", "p3")]
    result = count(5, dwellings, [yes("a", "p1"), yes("a", "p2"), yes("a", "p1"), no("b", "p3")])
    assert result.rejected == ()
    assert result.headcount == Measure(2, 2, 1) and result.area == Measure(20000, 20000, 10000)


def test_conflicting_co_owner_ballots_void_the_dwelling():
    dwellings = [dw("a", "100", "p1", "p2"), dw("b", "100", "p3")]
    result = count(5, dwellings, [yes("a", "p1"), no("b", "p3"), abstain("a", "p2")])
    assert [(r.index, r.code, dict(r.params)) for r in result.rejected] == [
        (0, "dwelling_conflict", {"dwelling": "a"}),
        (2, "dwelling_conflict", {"dwelling": "a"}),
    ]
    assert result.headcount == Measure(2, 1, 0)


def test_one_owner_changing_their_mind_voids_the_dwelling_too():
    result = count(5, one_each(1), [yes("d0", "p0"), no("d0", "p0")])
    assert [r.code for r in result.rejected] == ["dwelling_conflict"] * 2


def test_unknown_dwelling_and_stranger_are_rejected_with_reasons():
    result = count(5, one_each(2), [yes("zz", "p0"), yes("d0", "p1"), yes("d1", "p1")])
    assert result.rejected == (
        Rejection(0, "unknown_dwelling", (("dwelling", "zz"),)),
        Rejection(1, "voter_not_owner", (("dwelling", "d0"), ("voter", "p1"))),
    )
    assert result.rejected[1].message() == "Voter p1 is not among the owners of dwelling d0."
    assert result.headcount == Measure(2, 1, 1)


def test_a_rejected_stranger_does_not_void_the_owners_ballot():
    dwellings = [dw("a", "100", "p1")]
    result = count(5, dwellings, [yes("a", "p1"), no("a", "intruder")])
    assert [r.code for r in result.rejected] == ["voter_not_owner"] and result.passed


def test_rejection_message_is_translated_then_filled():
    rejection = Rejection(3, "unknown_dwelling", (("dwelling", "1-2-301"),))
    assert rejection.message(lambda text: text.replace("Dwelling", "房屋")).startswith("房屋 1-2-301")


def test_item_outside_law_cc_278_and_duplicate_dwellings_are_refused():
    with pytest.raises(ValueError, match="1 to 9"):
        count(10, one_each(1), [])
    with pytest.raises(ValueError, match="unique"):
        count(1, [dw("a", "1", "p"), dw("a", "2", "q")], [])


def test_comparisons_expose_the_arithmetic_in_order():
    result = count(8, *spec_example())
    assert [(c.name, c.value, c.op, c.share, c.base) for c in result.comparisons] == [
        ("quorum.area", 80000, ">=", Fraction(2, 3), 100000),
        ("quorum.headcount", 6, ">=", Fraction(2, 3), 7),
        ("pass.area", 45000, ">=", Fraction(3, 4), 80000),
        ("pass.headcount", 3, ">=", Fraction(3, 4), 6),
    ]


def test_area_text_has_two_decimals():
    assert [area_text(n) for n in (0, 5, 8947, 100000)] == ["0.00", "0.05", "89.47", "1000.00"]


# --- Building meeting (HZ-5.1.3.2.2.5) -----------------------------------------------------------------------


def building(households: int, choices: str, **kwargs):
    kinds = {"y": "yes", "n": "no", "a": "abstain"}
    ballots = [HouseholdBallot(f"h{i}", kinds[c]) for i, c in enumerate(choices)]
    return tally_building(
        households=[f"h{i}" for i in range(households)], ballots=ballots, thresholds=T, **kwargs
    )


def test_hz_5_1_3_2_2_5_issue_example_a_tie_with_an_abstention_passes():
    result = building(12, "yyyynnna")
    assert (result.households, result.voters, result.yes, result.no, result.abstain) == (12, 8, 4, 3, 1)
    assert result.quorum_met and result.passed
    assert result.basis == ("HZ-5.1.3.2.2.5", "LAW-CC-1259")


@pytest.mark.parametrize(
    ("households", "voters", "met"),
    [(12, 8, True), (12, 7, False), (3, 2, True), (10, 6, False), (10, 7, True)],
)
def test_hz_5_1_3_2_2_5_quorum_two_thirds_of_household_representatives(households, voters, met):
    result = building(households, "y" * voters)
    assert check(result, "quorum.households").met is met and result.quorum_met is met


def test_hz_5_1_3_2_2_5_half_is_enough_by_default_law_cc_1259():
    result = building(3, "yn")
    assert check(result, "pass.votes") == Comparison(
        "pass.votes", 1, ">=", Fraction(1, 2), 2, "HZ-5.1.3.2.2.5"
    )
    assert result.passed
    assert building(3, "ynn").quorum_met and not building(3, "ynn").passed  # 1 of 3 is below half


def test_section_5_1_strict_reading_from_the_vote_or_the_pack():
    assert building(2, "yn").passed and not building(2, "yn", tie_passes=False).passed
    assert building(3, "yyn", tie_passes=False).passed
    strict = replace(T, tie_passes=False)  # e.g. Binzhou's pack
    ballots = [HouseholdBallot("h0", "yes"), HouseholdBallot("h1", "no")]
    assert not tally_building(households=["h0", "h1"], ballots=ballots, thresholds=strict).passed
    assert tally_building(households=["h0", "h1"], ballots=ballots, thresholds=strict, tie_passes=True).passed


def test_section_5_4_abstentions_count_as_votes_cast():
    result = building(3, "yaa")
    assert check(result, "pass.votes").base == 3 and not result.passed


def test_section_5_5_absent_households_stay_in_the_denominator():
    result = building(30, "y" * 19)
    assert check(result, "quorum.households").base == 30 and not result.quorum_met


def test_building_rejections_unknown_conflict_and_identical_repeat():
    ballots = [
        HouseholdBallot("h0", "yes"),
        HouseholdBallot("x", "yes"),
        HouseholdBallot("h1", "no"),
        HouseholdBallot("h1", "yes"),
        HouseholdBallot("h0", "yes"),
        HouseholdBallot("h2", "abstain"),
    ]
    result = tally_building(households=["h0", "h1", "h2"], ballots=ballots, thresholds=T)
    assert [(r.index, r.code) for r in result.rejected] == [
        (1, "unknown_household"),
        (2, "household_conflict"),
        (3, "household_conflict"),
    ]
    assert (result.voters, result.yes, result.no, result.abstain) == (2, 1, 0, 1)
    assert result.quorum_met and result.passed


def test_building_with_nobody_voting_or_only_abstentions_does_not_pass():
    assert not building(0, "").quorum_met
    assert not building(3, "aaa").passed


def test_building_duplicate_households_are_refused():
    with pytest.raises(ValueError, match="unique"):
        tally_building(households=["h", "h"], ballots=[], thresholds=T)
