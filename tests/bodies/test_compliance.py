"""Pure boundary tests of bodies.compliance under the shipped packs (no database). Each names its clause."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest

from gongzhi.bodies.compliance import CHECKS, BodySnapshot, Finding, MemberSnapshot, check_body, share_short
from gongzhi.policy.effective import EffectivePolicy
from gongzhi.policy.packs import pack_policy
from gongzhi.policy.schema import KEYS

TODAY = dt.date(2026, 1, 1)
OC, OSC, RC, VC = (
    "owners_committee",
    "owners_supervisory_committee",
    "residents_committee",
    "villagers_committee",
)
RASC, RRM = "residents_affairs_supervisory_committee", "residents_representative_meeting"


def members(
    n: int,
    *,
    party: int | None = None,
    owners: bool = True,
    officers: bool = True,
    category: str = "",
    start_id: int = 1,
) -> tuple[MemberSnapshot, ...]:
    """n members; the first is chair and the second vice chair (when officers); the first `party` are members."""
    party = n if party is None else party
    out = []
    for i in range(n):
        position = "chair" if officers and i == 0 else "vice_chair" if officers and i == 1 else "member"
        out.append(
            MemberSnapshot(
                person_id=start_id + i,
                name=f"P{start_id + i}",
                position=position,
                is_party_member=i < party,
                is_owner_in_compound=owners,
                category=category,
            )
        )
    return tuple(out)


def codes(snapshot: BodySnapshot, policy: EffectivePolicy, today: dt.date = TODAY) -> set[str]:
    return {f.code for f in check_body(snapshot, policy, today)}


def only(snapshot: BodySnapshot, policy: EffectivePolicy, code: str) -> Finding:
    [found] = [f for f in check_body(snapshot, policy, TODAY) if f.code == code]
    return found


HZ, CZ, NB, BZ, NAT = (pack_policy(c) for c in ("huzhou", "cangzhou", "ningbo", "binzhou", ""))


def test_every_key_the_checks_read_is_registered():
    """Typo guard: each check reads `<kind>.<suffix>` keys that policy.schema.KEYS declares."""
    for kind in CHECKS:
        assert any(k.startswith(f"{kind}.") for k in KEYS), kind


# --- Owners' committee size: HZ-A.2.1.1, CZ-II.3#1, LAW-PMR; NB-2.8.1 ---------------------------------


@pytest.mark.parametrize("policy", [HZ, CZ], ids=["huzhou", "cangzhou"])
@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (4, {"size_below_min", "size_even"}),
        (5, set()),
        (6, {"size_even"}),
        (11, set()),
        (12, {"size_above_max", "size_even"}),
    ],
)
def test_oc_size_5_to_11_odd_hz_a_2_1_1_cz_ii_3_1_law_pmr(policy, size, expected):
    body = BodySnapshot(kind=OC, members=members(size))
    assert codes(body, policy) & {"size_below_min", "size_above_max", "size_even"} == expected


def test_oc_size_error_cites_city_and_national_clauses_hz_a_2_1_1():
    """HZ-A.2.1.1 is descriptive, but LAW-PMR states the same bound as "shall": an error citing both."""
    found = only(BodySnapshot(kind=OC, members=members(4)), HZ, "size_below_min")
    assert (found.severity, found.clauses) == ("error", ("HZ-A.2.1.1", "LAW-PMR"))


@pytest.mark.parametrize(
    ("size", "rules_size", "expected"),
    [
        (4, 4, {"size_below_min", "size_even"}),
        (5, 5, set()),
        (6, 6, {"size_even"}),
        (7, 5, {"size_differs_from_rules"}),
        (11, 11, set()),
        (12, 12, {"size_above_max", "size_even"}),
        (5, None, {"rules_size_missing"}),
    ],
)
def test_oc_size_ningbo_odd_at_least_5_and_equal_to_rules_nb_2_8_1(size, rules_size, expected):
    """NB-2.8.1: odd, ≥5, the number fixed by the assembly rules; the national 11 (LAW-PMR) still caps it."""
    body = BodySnapshot(kind=OC, members=members(size), rules_size=rules_size)
    relevant = {
        "size_below_min",
        "size_above_max",
        "size_even",
        "size_differs_from_rules",
        "rules_size_missing",
    }
    assert codes(body, NB) & relevant == expected


def test_oc_rules_size_not_checked_outside_ningbo_nb_2_8_1():
    assert "rules_size_missing" not in codes(BodySnapshot(kind=OC, members=members(5)), HZ)


# --- Party share ≥65% and Party-member chair: HZ-A.2.1.2 ------------------------------------------------


@pytest.mark.parametrize(
    ("size", "party", "ok"),
    [
        (5, 3, False),
        (5, 4, True),
        (7, 4, False),
        (7, 5, True),
        (9, 5, False),
        (9, 6, True),
        (11, 7, False),
        (11, 8, True),
    ],
)
def test_oc_party_share_65_percent_ceil_hz_a_2_1_2(size, party, ok):
    """65% rounded up (§5 #2): 5→4, 7→5, 9→6, 11→8; inclusive (LAW-CC-1259)."""
    body = BodySnapshot(kind=OC, members=members(size, party=party))
    assert ("party_share_below" not in codes(body, HZ)) is ok


def test_oc_party_share_finding_states_needed_count_hz_a_2_1_2():
    found = only(BodySnapshot(kind=OC, members=members(5, party=3)), HZ, "party_share_below")
    assert (found.params["needed"], found.params["percent"], found.severity) == (4, "65", "warning")


def test_oc_party_share_not_required_in_cangzhou_hz_a_2_1_2():
    assert "party_share_below" not in codes(BodySnapshot(kind=OC, members=members(5, party=0)), CZ)


def test_oc_chair_not_party_member_is_a_should_warning_hz_a_2_1_2():
    body = BodySnapshot(
        kind=OC,
        members=(MemberSnapshot(1, "Chair", "chair", False, True), *members(4, officers=False, start_id=2)),
    )
    found = only(body, HZ, "chair_not_party_member")
    assert (found.force, found.severity, found.clause) == ("should", "warning", "HZ-A.2.1.2")


# --- Officers: HZ-A.2.1.2, NB-2.8.1, LAW-PMR ----------------------------------------------------------


def test_oc_needs_chair_and_vice_chair_law_pmr():
    assert {"chair_missing", "vice_chair_missing"} <= codes(
        BodySnapshot(kind=OC, members=members(5, officers=False)), NAT
    )


def test_oc_with_chair_and_vice_chair_has_no_officer_finding_hz_a_2_1_2():
    found = codes(BodySnapshot(kind=OC, members=members(5)), HZ)
    assert not found & {"chair_missing", "vice_chair_missing", "chair_several"}


def test_oc_two_chairs_flagged_law_pmr():
    two = (MemberSnapshot(9, "X", "chair", True, True), *members(5))
    assert "chair_several" in codes(BodySnapshot(kind=OC, members=two), NAT)


# --- Members are owners in the compound: HZ-A.2.1.5, LAW-PMR --------------------------------------------


def test_oc_member_not_owner_is_error_hz_a_2_1_5():
    found = only(
        BodySnapshot(kind=OC, members=(*members(4), MemberSnapshot(99, "Tenant", "member", True, False))),
        HZ,
        "member_not_owner",
    )
    assert (found.severity, found.params["name"], found.clauses) == (
        "error",
        "Tenant",
        ("HZ-A.2.1.5", "LAW-PMR"),
    )


# --- Owners' supervisory committee: HZ-A.3.1.1 -----------------------------------------------------------


@pytest.mark.parametrize(("size", "ok"), [(2, False), (3, True), (4, False), (5, True), (6, False)])
def test_osc_size_3_or_5_hz_a_3_1_1(size, ok):
    assert ("size_not_allowed" not in codes(BodySnapshot(kind=OSC, members=members(size)), HZ)) is ok


def test_osc_size_is_an_error_hz_a_3_1_1():
    assert only(BodySnapshot(kind=OSC, members=members(4)), HZ, "size_not_allowed").severity == "error"


def test_osc_overlap_with_owners_committee_hz_a_3_1_1():
    """§5 #11 default: nobody sits on both the OC and the OSC of one compound (a warning)."""
    body = BodySnapshot(kind=OSC, members=members(3), owners_committee_person_ids=frozenset({2, 40}))
    found = only(body, HZ, "member_also_on_owners_committee")
    assert (found.params["name"], found.force, found.severity) == ("P2", "default", "warning")


def test_osc_disjoint_from_owners_committee_is_clean_hz_a_3_1_1():
    body = BodySnapshot(kind=OSC, members=members(3), owners_committee_person_ids=frozenset({40, 41}))
    assert "member_also_on_owners_committee" not in codes(body, HZ)


def test_osc_members_must_be_owners_hz_a_3_1_1():
    assert "member_not_owner" in codes(BodySnapshot(kind=OSC, members=members(3, owners=False)), HZ)


# --- Terms: HZ-A.3.1.3 (3–5 years), LAW-PMR (≤5), §5 #14 (90-day alert) ------------------------------------


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.date(2027, 12, 31), {"term_too_short"}),
        (dt.date(2028, 12, 31), set()),
        (dt.date(2030, 12, 31), set()),
        (dt.date(2031, 1, 1), {"term_too_long"}),
    ],
)
def test_osc_term_3_to_5_years_hz_a_3_1_3(end, expected):
    body = BodySnapshot(kind=OSC, members=members(3), term_start=dt.date(2026, 1, 1), term_end=end)
    assert codes(body, HZ, dt.date(2026, 1, 1)) & {"term_too_short", "term_too_long"} == expected


def test_oc_term_over_5_years_is_error_law_pmr():
    body = BodySnapshot(
        kind=OC, members=members(5), term_start=dt.date(2026, 1, 1), term_end=dt.date(2031, 6, 30)
    )
    found = only(body, NAT, "term_too_long")
    assert (found.severity, found.clause) == ("error", "LAW-PMR")


@pytest.mark.parametrize(
    ("days", "expected"),
    [(91, set()), (90, {"term_expiring"}), (0, {"term_expiring"}), (-1, {"term_expired"})],
)
def test_term_expiring_within_90_days_default_5_14(days, expected):
    """§5 #14: alert 90 days before the term ends (a product default, national pack)."""
    body = BodySnapshot(kind=RC, members=members(5), term_end=TODAY + dt.timedelta(days=days))
    assert codes(body, NAT) & {"term_expiring", "term_expired"} == expected


def test_term_expiring_is_a_default_warning_5_14():
    found = only(BodySnapshot(kind=RC, term_end=TODAY + dt.timedelta(days=30)), NAT, "term_expiring")
    assert (found.force, found.severity, found.params["days"]) == ("default", "warning", 30)


# --- Residents' / villagers' committees: NB-2.3.3 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"), [(4, {"size_below_min"}), (5, set()), (9, set()), (10, {"size_above_max"})]
)
def test_rc_size_5_to_9_nb_2_3_3(size, expected):
    assert codes(BodySnapshot(kind=RC, members=members(size)), NB) == expected


@pytest.mark.parametrize(
    ("size", "expected"), [(2, {"size_below_min"}), (3, set()), (7, set()), (8, {"size_above_max"})]
)
def test_villagers_committee_size_3_to_7_nb_2_3_3(size, expected):
    assert codes(BodySnapshot(kind=VC, members=members(size)), NB) == expected


def test_rc_size_unconstrained_in_huzhou_nb_2_3_3():
    assert codes(BodySnapshot(kind=RC, members=members(12)), HZ) == set()


# --- Residents' affairs supervisory committee: NB-2.4.2 -----------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"), [(2, {"size_below_min"}), (3, set()), (5, set()), (6, {"size_above_max"})]
)
def test_rasc_size_3_to_5_nb_2_4_2(size, expected):
    body = BodySnapshot(kind=RASC, members=members(size, officers=False)[:-1] + members(1, start_id=50)[:1])
    assert codes(body, NB) == expected


@pytest.mark.parametrize("chairs", [0, 2])
def test_rasc_exactly_one_chair_nb_2_4_2(chairs):
    chair = MemberSnapshot(60, "C", "chair")
    body = BodySnapshot(kind=RASC, members=(*([chair] * chairs), *members(4 - chairs, officers=False)))
    assert only(body, NB, "chair_count").params == {"chairs": chairs, "expected": 1}


# --- Residents' representatives meeting: NB-2.3.7 --------------------------------------------------------


def reps(size: int, residents: int) -> BodySnapshot:
    return BodySnapshot(
        kind=RRM,
        members=(
            *members(residents, officers=False, category="resident_representative"),
            *members(size - residents, officers=False, category="unit_representative", start_id=1000),
        ),
    )


@pytest.mark.parametrize(
    ("size", "expected"), [(50, {"size_below_min"}), (51, set()), (101, set()), (102, {"size_above_max"})]
)
def test_reps_meeting_51_to_101_nb_2_3_7(size, expected):
    assert codes(reps(size, size), NB) == expected


@pytest.mark.parametrize(("residents", "ok"), [(33, False), (34, True)])
def test_reps_meeting_two_thirds_residents_nb_2_3_7(residents, ok):
    """34 of 51 is exactly 2/3 (不得少于: inclusive); 33 of 51 is short, an error (shall)."""
    found = codes(reps(51, residents), NB)
    assert ("resident_share_below" not in found) is ok


def test_reps_meeting_share_is_error_with_needed_count_nb_2_3_7():
    found = only(reps(51, 33), NB, "resident_share_below")
    assert (found.severity, found.params["needed"]) == ("error", 34)


def test_unconstrained_kind_only_gets_term_alerts_5_14():
    body = BodySnapshot(kind="property_company", members=members(1), term_end=TODAY + dt.timedelta(days=10))
    assert codes(body, BZ) == {"term_expiring"}


def test_errors_sorted_before_warnings_hz_a_2_1_2():
    findings = check_body(BodySnapshot(kind=OC, members=members(4, party=0)), HZ, TODAY)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "error") and "warning" in severities


def test_osc_term_equals_oc_term_hz_a_3_1_3():
    """HZ-A.3.1.3: 每届任期与业主委员会任期年限等同 (descriptive → warning)."""
    start, end = dt.date(2026, 1, 1), dt.date(2030, 12, 31)
    same = BodySnapshot(
        kind=OSC, members=members(3), term_start=start, term_end=end, owners_committee_term=(start, end)
    )
    other = BodySnapshot(
        kind=OSC,
        members=members(3),
        term_start=start,
        term_end=end,
        owners_committee_term=(start, dt.date(2029, 12, 31)),
    )
    assert "term_differs_from_owners_committee" not in codes(same, HZ)
    found = only(other, HZ, "term_differs_from_owners_committee")
    assert (found.severity, found.params["oc_end"]) == ("warning", "2029-12-31")


def test_osc_term_not_compared_without_an_oc_hz_a_3_1_3():
    body = BodySnapshot(kind=OSC, members=members(3), term_start=TODAY, term_end=dt.date(2030, 12, 31))
    assert "term_differs_from_owners_committee" not in codes(body, HZ)


@pytest.mark.parametrize("share", [Fraction(13, 20), Fraction(2, 3)], ids=["65%", "2/3"])
def test_share_minimum_is_ceil_and_inclusive_5_2_law_cc_1259(share):
    """§5 #2 and LAW-CC-1259: a count meets the share iff it reaches ceil(share × size), for every size."""
    for size in range(1, 130):
        for have in range(size + 1):
            short = share_short(have, size, share)
            assert (short is None) == (have >= math.ceil(share * size))
