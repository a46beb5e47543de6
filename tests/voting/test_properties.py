"""Properties of the count (issue 5 §5) over generated rolls and ballots: order never matters, a new abstention
never turns a failed approval into a pass, area and headcount are independent, identical co-owner duplicates
change nothing, and every outcome is the exact Fraction arithmetic of LAW-CC-278 / HZ-5.1.3.2.2.5."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gongzhi.voting.recount import (
    _checked_dwelling,
    _dwelling,
    assembly_document,
    building_document,
    parse,
    recount,
)
from gongzhi.voting.tally import (
    CHOICES,
    MAJOR_ITEMS,
    Ballot,
    Dwelling,
    HouseholdBallot,
    area_text,
    person_of,
    tally_assembly,
    tally_building,
)
from gongzhi.voting.thresholds import pack_thresholds

T = pack_thresholds()
# No deadline: the machine is shared and a slow example is not a failure; 60 examples keep the suite quick.
PROPERTY = settings(max_examples=60, deadline=None)
PEOPLE = ("p0", "p1", "p2", "p3", "p4", "p5")


@st.composite
def rolls(draw) -> list[Dwelling]:
    dwellings = []
    for i in range(draw(st.integers(0, 10))):
        unsold = draw(st.integers(0, 4)) == 0
        owners = draw(st.sets(st.sampled_from(PEOPLE), min_size=0 if unsold else 1, max_size=3))
        dwellings.append(Dwelling(f"d{i}", draw(st.integers(0, 50_000)), frozenset(owners), unsold))
    return dwellings


@st.composite
def ballot_for(draw, dwellings: list[Dwelling]) -> Ballot:
    """Mostly a ballot by one of the dwelling's owners; sometimes a stranger or an unknown dwelling."""
    dwelling = draw(st.sampled_from([*dwellings, None])) if dwellings else None
    choice = draw(st.sampled_from(CHOICES))
    if dwelling is None:
        return Ballot("unknown", draw(st.sampled_from(PEOPLE)), choice)
    voter = draw(st.sampled_from([*sorted(dwelling.owners), "stranger"]))
    return Ballot(dwelling.id, voter, choice)


@st.composite
def votes(draw) -> tuple[int, list[Dwelling], list[Ballot]]:
    dwellings = draw(rolls())
    ballots = draw(st.lists(ballot_for(dwellings), max_size=14))
    return draw(st.integers(1, 9)), dwellings, ballots


def count(item, dwellings, ballots, thresholds=T):
    return tally_assembly(item=item, dwellings=dwellings, ballots=ballots, thresholds=thresholds)


def core(result):
    """Everything but the rejected ballots' positions."""
    return (result.quorum_met, result.passed, result.headcount, result.area, result.comparisons)


def rejections(result, ballots):
    return sorted((ballots[r.index], r.code, r.params) for r in result.rejected)


@PROPERTY
@given(votes(), st.randoms())
def test_ballot_order_never_matters(vote, rnd):
    item, dwellings, ballots = vote
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    before, after = count(item, dwellings, ballots), count(item, dwellings, shuffled)
    assert core(before) == core(after)
    assert rejections(before, ballots) == rejections(after, shuffled)


@PROPERTY
@given(votes(), st.randoms())
def test_roll_order_never_matters(vote, rnd):
    item, dwellings, ballots = vote
    shuffled = list(dwellings)
    rnd.shuffle(shuffled)
    assert core(count(item, dwellings, ballots)) == core(count(item, shuffled, ballots))


@PROPERTY
@given(votes(), st.data())
def test_a_new_abstention_never_turns_a_failed_approval_into_a_pass(vote, data):
    """An abstention by an owner who has not voted participates without approving (LAW-CC-278): a failed
    approval stays failed. (It may complete the quorum: see test_an_abstention_can_complete_the_quorum.)"""
    item, dwellings, ballots = vote
    voted = {person_of(d) for d in dwellings if any(b.dwelling == d.id for b in ballots)}
    fresh = [d for d in dwellings if d.owners and person_of(d) not in voted]
    assume(fresh)
    dwelling = data.draw(st.sampled_from(fresh))
    voter = data.draw(st.sampled_from(sorted(dwelling.owners)))
    position = data.draw(st.integers(0, len(ballots)))
    more = [*ballots[:position], Ballot(dwelling.id, voter, "abstain"), *ballots[position:]]
    before, after = count(item, dwellings, ballots), count(item, dwellings, more)
    for old, new in zip(before.comparisons[2:], after.comparisons[2:], strict=True):
        assert old.met or not new.met, (old, new)
    if before.quorum_met and not before.passed:
        assert not after.passed
    assert after.headcount.participating == before.headcount.participating + 1


def test_an_abstention_can_complete_the_quorum_law_cc_278():
    """Why the property above is about approval: abstaining owners count towards the 2/3 quorum, so an
    abstention can turn 'no quorum' into a pass. That is the law (participation, not approval), not a bug."""
    dwellings = [Dwelling(f"d{i}", 100, frozenset({f"p{i}"})) for i in range(6)]
    ballots = [Ballot(f"d{i}", f"p{i}", "yes") for i in range(3)]
    before = count(5, dwellings, ballots)
    after = count(5, dwellings, [*ballots, Ballot("d3", "p3", "abstain")])
    assert not before.quorum_met and not before.passed
    assert after.quorum_met and after.passed


@PROPERTY
@given(votes(), st.lists(st.integers(0, 50_000), min_size=10, max_size=10))
def test_areas_never_change_the_headcount(vote, areas):
    item, dwellings, ballots = vote
    other = [replace_area(d, areas[i]) for i, d in enumerate(dwellings)]
    before, after = count(item, dwellings, ballots), count(item, other, ballots)
    assert before.headcount == after.headcount
    assert headcount_checks(before) == headcount_checks(after)
    assert before.rejected == after.rejected


@PROPERTY
@given(votes(), st.permutations(PEOPLE))
def test_names_of_owners_never_change_the_result(vote, renamed):
    item, dwellings, ballots = vote
    names = dict(zip(PEOPLE, renamed, strict=True))
    other = [d._replace(owners=frozenset(names[o] for o in d.owners)) for d in dwellings]
    moved = [b._replace(voter=names.get(b.voter, b.voter)) for b in ballots]
    before, after = count(item, dwellings, ballots), count(item, other, moved)
    assert core(before) == core(after)
    assert [(r.index, r.code) for r in before.rejected] == [(r.index, r.code) for r in after.rejected]


def replace_area(dwelling: Dwelling, area: int) -> Dwelling:
    return dwelling._replace(area=area)


def headcount_checks(result):
    return [c for c in result.comparisons if c.name.endswith("headcount")]


@PROPERTY
@given(votes(), st.data())
def test_identical_co_owner_duplicates_change_nothing(vote, data):
    item, dwellings, ballots = vote
    owned = {d.id: d for d in dwellings}
    valid = [b for b in ballots if b.dwelling in owned and b.voter in owned[b.dwelling].owners]
    assume(valid)
    original = data.draw(st.sampled_from(valid))
    co_owner = data.draw(st.sampled_from(sorted(owned[original.dwelling].owners)))
    position = data.draw(st.integers(0, len(ballots)))
    more = [*ballots[:position], original._replace(voter=co_owner), *ballots[position:]]
    assert core(count(item, dwellings, ballots)) == core(count(item, dwellings, more))


@PROPERTY
@given(votes(), st.booleans())
def test_outcome_is_the_exact_fraction_arithmetic(vote, strict):
    item, dwellings, ballots = vote
    thresholds = replace(T, ordinary_strict=strict)
    result = count(item, dwellings, ballots, thresholds)
    head, area = result.headcount, result.area
    quorum = (
        head.participating > 0
        and area.participating > 0
        and Fraction(area.participating) >= Fraction(2, 3) * area.total
        and Fraction(head.participating) >= Fraction(2, 3) * head.total
    )
    if item in MAJOR_ITEMS:
        approve = all(m.approving >= Fraction(3, 4) * m.participating for m in (head, area))
    elif strict:
        approve = all(m.approving > Fraction(1, 2) * m.participating for m in (head, area))
    else:
        approve = all(m.approving >= Fraction(1, 2) * m.participating for m in (head, area))
    assert result.quorum_met == quorum
    assert result.passed == (quorum and approve and head.approving > 0 and area.approving > 0)
    assert head.approving <= head.participating <= head.total
    assert area.approving <= area.participating <= area.total


@PROPERTY
@given(votes())
def test_every_ballot_is_counted_or_rejected_and_persons_never_split(vote):
    item, dwellings, ballots = vote
    result = count(item, dwellings, ballots)
    rejected = {r.index for r in result.rejected}
    owned = {d.id: d for d in dwellings}
    counted = [b for i, b in enumerate(ballots) if i not in rejected]
    assert all(b.dwelling in owned and b.voter in owned[b.dwelling].owners for b in counted)
    by_person: dict[object, set[str]] = {}
    for b in counted:
        by_person.setdefault(person_of(owned[b.dwelling]), set()).add(b.choice)
    assert all(len(choices) == 1 for choices in by_person.values())
    assert result.headcount.participating == len(by_person)
    assert result.area.participating == sum(owned[d].area for d in {b.dwelling for b in counted})


@PROPERTY
@given(votes())
def test_the_json_recount_agrees_with_the_tally(vote):
    item, dwellings, ballots = vote
    doc = assembly_document(item, dwellings, ballots)
    request = parse(json.dumps(doc))
    assert (request.item, list(request.dwellings), list(request.ballots)) == (item, dwellings, ballots)
    result = count(item, dwellings, ballots)
    out = recount(json.dumps(doc), T)
    assert (out["quorum_met"], out["passed"]) == (result.quorum_met, result.passed)
    assert out["area"]["approving"] == area_text(result.area.approving)
    assert [r["index"] for r in out["rejected"]] == [r.index for r in result.rejected]


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 500)
    | st.text(max_size=6)
    | st.sampled_from(["1.5", "0.01", "p1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@PROPERTY
@given(
    st.fixed_dictionaries(
        {
            "id": JSONISH | st.just("d1"),
            "area": JSONISH | st.just("12.34"),
            "owners": JSONISH | st.just(["p1"]),
        },
        optional={"unsold": JSONISH | st.booleans(), "extra": JSONISH},
    )
    | JSONISH
)
def test_fast_reading_of_a_dwelling_agrees_with_the_checked_one(value):
    """voting.recount reads the common case inline for speed; it must accept and build exactly what the
    checked reader (the one that names errors) accepts and builds."""
    try:
        expected = _checked_dwelling(value, "dwellings[0]")
    except Exception as exc:  # noqa: BLE001 (compared below)
        expected = type(exc)
    try:
        got = _dwelling(value, 0)
    except Exception as exc:  # noqa: BLE001
        got = type(exc)
    assert got == expected


# --- Building meeting -----------------------------------------------------------------------------------------


@st.composite
def building_votes(draw):
    households = [f"h{i}" for i in range(draw(st.integers(0, 12)))]
    pick = st.sampled_from([*households, "unknown"])
    ballots = draw(st.lists(st.builds(HouseholdBallot, pick, st.sampled_from(CHOICES)), max_size=15))
    return households, ballots, draw(st.booleans())


def building(households, ballots, tie_passes):
    return tally_building(households=households, ballots=ballots, thresholds=T, tie_passes=tie_passes)


def building_core(result):
    return (result.quorum_met, result.passed, result.voters, result.yes, result.no, result.abstain)


@PROPERTY
@given(building_votes(), st.randoms())
def test_building_ballot_order_never_matters(vote, rnd):
    households, ballots, ties = vote
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    before, after = building(households, ballots, ties), building(households, shuffled, ties)
    assert building_core(before) == building_core(after)
    assert rejections(before, ballots) == rejections(after, shuffled)


@PROPERTY
@given(building_votes(), st.data())
def test_building_new_abstention_never_turns_a_failed_approval_into_a_pass(vote, data):
    households, ballots, ties = vote
    fresh = sorted(set(households) - {b.household for b in ballots})
    assume(fresh)
    more = [*ballots, HouseholdBallot(data.draw(st.sampled_from(fresh)), "abstain")]
    before, after = building(households, ballots, ties), building(households, more, ties)
    assert before.comparisons[1].met or not after.comparisons[1].met
    if before.quorum_met and not before.passed:
        assert not after.passed


@PROPERTY
@given(building_votes(), st.data())
def test_building_identical_repeats_change_nothing(vote, data):
    households, ballots, ties = vote
    assume(ballots)
    repeat = data.draw(st.sampled_from(ballots))
    more = [*ballots, repeat]
    assert building_core(building(households, ballots, ties)) == building_core(
        building(households, more, ties)
    )


@PROPERTY
@given(building_votes())
def test_building_document_round_trip(vote):
    households, ballots, ties = vote
    request = parse(json.dumps(building_document(households, ballots, ties)))
    assert (list(request.households), list(request.household_ballots), request.tie_passes) == (
        households,
        ballots,
        ties,
    )
    out = recount(json.dumps(building_document(households, ballots)), T)
    assert out["passed"] == building(households, ballots, T.tie_passes).passed


@PROPERTY
@given(building_votes())
def test_building_outcome_is_the_exact_fraction_arithmetic(vote):
    households, ballots, ties = vote
    result = building(households, ballots, ties)
    quorum = result.voters > 0 and Fraction(result.voters) >= Fraction(2, 3) * len(households)
    half = Fraction(result.voters, 2)
    approve = result.yes > 0 and (result.yes >= half if ties else result.yes > half)
    assert (result.quorum_met, result.passed) == (quorum, quorum and approve)
    assert result.yes + result.no + result.abstain == result.voters <= len(households)
