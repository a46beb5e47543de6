"""Compliance read from the database: snapshots, community-wide list without N+1, translated messages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from gongzhi.bodies import services as bodies
from gongzhi.bodies.selectors import (
    MESSAGES,
    bodies_under,
    body_compliance,
    body_snapshot,
    community_compliance,
)
from gongzhi.people import services as people
from gongzhi.tree import services as tree

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)
TODAY = dt.date(2026, 1, 1)


def _person(actor, n: int, *, party: bool = True):
    return people.person_create(actor=actor, name=f"成员{n}", is_party_member=party)


def _committee(
    actor, node, kind: str, size: int, *, party: int | None = None, owners_of=None, first: int = 0
):
    """A body of `size` members (chair, vice chair, members); the first `party` are Party members; each owns
    one of `owners_of` (a list of dwellings) when given."""
    body = bodies.body_create(
        actor=actor, kind=kind, node=node, name=kind, term_start=START, term_end=dt.date(2028, 12, 31)
    )
    party = size if party is None else party
    for i in range(size):
        person = _person(actor, first + i, party=i < party)
        if owners_of:
            people.ownership_open(
                actor=actor, dwelling=owners_of[i % len(owners_of)], person=person, start=START
            )
        position = "chair" if i == 0 else "vice_chair" if i == 1 else "member"
        bodies.member_add(actor=actor, body=body, person=person, position=position, term_start=START)
    return body


def test_community_compliance_finds_non_compliant_oc_hz_a_2_1_1(actor, small_tree):
    oc = _committee(actor, small_tree["compound"], "owners_committee", 4, owners_of=small_tree["dwellings"])
    rows = dict(community_compliance(small_tree["community"], today=TODAY))
    codes = {f.code for f in rows[oc]}
    assert {"size_below_min", "size_even"} <= codes
    found = next(f for f in rows[oc] if f.code == "size_below_min")
    assert (found.severity, "HZ-A.2.1.1" in found.clause, "LAW-PMR" in found.clause) == ("error", True, True)


def test_compliant_oc_has_no_findings_hz_a_2_1_2(actor, small_tree):
    oc = _committee(
        actor, small_tree["compound"], "owners_committee", 5, party=4, owners_of=small_tree["dwellings"]
    )
    assert body_compliance(oc, today=TODAY) == []


def test_member_owning_elsewhere_is_not_an_owner_in_compound_hz_a_2_1_5(actor, small_tree):
    other = tree.node_create(actor=actor, parent=small_tree["community"], name="别的小区", level="compound")
    building = tree.node_create(actor=actor, parent=other, name="9幢", level="building")
    stair = tree.node_create(actor=actor, parent=building, name="1单元", level="stairwell")
    elsewhere = tree.dwelling_create(actor=actor, stairwell=stair, number="101", area="80")
    oc = _committee(actor, small_tree["compound"], "owners_committee", 5, owners_of=[elsewhere])
    assert {f.code for f in body_compliance(oc, today=TODAY)} == {"member_not_owner"}


def test_ownership_ended_before_today_does_not_count_hz_a_2_1_5(actor, small_tree):
    oc = _committee(actor, small_tree["compound"], "owners_committee", 5, owners_of=small_tree["dwellings"])
    snapshot = body_snapshot(oc, TODAY)
    assert all(m.is_owner_in_compound for m in snapshot.members)
    ownership = snapshot.members[0].person_id
    for o in people.Ownership.objects.filter(person_id=ownership):
        people.ownership_close(actor=actor, ownership=o, end=dt.date(2025, 6, 1))
    assert not body_snapshot(oc, TODAY).members[0].is_owner_in_compound


def test_ended_membership_not_seated_hz_a_3_1_1(actor, small_tree):
    osc = _committee(
        actor, small_tree["compound"], "owners_supervisory_committee", 3, owners_of=small_tree["dwellings"]
    )
    bodies.member_end(actor=actor, membership=osc.memberships.first(), ended_on=dt.date(2025, 1, 1))
    assert body_snapshot(osc, TODAY).size == 2
    assert "size_not_allowed" in {f.code for f in body_compliance(osc, today=TODAY)}


def test_osc_overlapping_oc_found_hz_a_3_1_1(actor, small_tree):
    oc = _committee(actor, small_tree["compound"], "owners_committee", 5, owners_of=small_tree["dwellings"])
    osc = _committee(
        actor,
        small_tree["compound"],
        "owners_supervisory_committee",
        3,
        owners_of=small_tree["dwellings"],
        first=10,
    )
    shared = oc.memberships.first().person
    bodies.member_add(actor=actor, body=osc, person=shared, term_start=START)
    bodies.member_add(actor=actor, body=osc, person=_person(actor, 99), term_start=START)
    people.ownership_open(
        actor=actor, dwelling=small_tree["dwellings"][0], person=osc.memberships.last().person, start=START
    )
    found = [f for f in body_compliance(osc, today=TODAY) if f.code == "member_also_on_owners_committee"]
    assert [f.params["name"] for f in found] == [shared.name]


def test_community_compliance_query_count_does_not_grow(actor, small_tree, django_assert_max_num_queries):
    """No N+1: members, people, ownerships, OC members and policies are read in a fixed number of queries."""
    community = small_tree["community"]
    _committee(actor, community, "residents_committee", 4)
    for n in range(3):
        compound = tree.node_create(actor=actor, parent=community, name=f"小区{n}", level="compound")
        _committee(
            actor, compound, "owners_committee", 5, first=100 * (n + 1), owners_of=small_tree["dwellings"]
        )
        _committee(actor, compound, "owners_supervisory_committee", 3, first=100 * (n + 1) + 50)
    with django_assert_max_num_queries(7):
        rows = community_compliance(community, today=TODAY)
    assert len(rows) == 7


def test_dissolved_body_is_left_out(actor, small_tree):
    oc = _committee(actor, small_tree["compound"], "owners_committee", 4)
    bodies.body_update(actor=actor, body=oc, dissolved_on=dt.date(2025, 1, 1))
    assert community_compliance(small_tree["community"], today=TODAY) == []
    assert list(bodies_under(small_tree["community"])) == [oc]


def test_ningbo_oc_compared_with_rules_size_nb_2_8_1(actor, small_tree):
    tree.node_update(actor=actor, node=small_tree["community"], policy_pack="ningbo")
    oc = _committee(actor, small_tree["compound"], "owners_committee", 7, owners_of=small_tree["dwellings"])
    oc = bodies.body_update(actor=actor, body=oc, rules_size=9)
    found = {f.code: f for f in body_compliance(oc, today=TODAY)}
    assert set(found) == {"size_differs_from_rules"} and found["size_differs_from_rules"].clause == "NB-2.8.1"


def test_term_expiring_rendered_in_chinese_5_14(actor, small_tree):
    rc = bodies.body_create(
        actor=actor,
        kind="residents_committee",
        node=small_tree["community"],
        name="居委会",
        term_start=dt.date(2021, 3, 1),
        term_end=dt.date(2026, 2, 28),
    )
    with translation.override("zh-hans"):
        [finding] = body_compliance(rc, today=TODAY)
    assert finding.message == "任期于2026-02-28届满（还有58天），请及早筹备换届选举。"
    with translation.override("en"):
        [english] = body_compliance(rc, today=TODAY)
    assert english.message == "The term ends on 2026-02-28, in 58 days: prepare the re-election."
    assert finding.is_default and finding.severity == "warning" and finding.clause == "§5#14"


def test_every_message_id_has_a_message():
    from gongzhi.bodies import compliance

    source = Path(compliance.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'_finding\(\s*"(\w+)"', source))
    assert used == set(MESSAGES)


def test_osc_term_compared_with_oc_term_hz_a_3_1_3(actor, small_tree):
    _committee(actor, small_tree["compound"], "owners_committee", 5, owners_of=small_tree["dwellings"])
    osc = bodies.body_create(
        actor=actor,
        kind="owners_supervisory_committee",
        node=small_tree["compound"],
        name="业监委",
        term_start=START,
        term_end=dt.date(2027, 12, 31),
    )
    found = {f.code: f for f in body_compliance(osc, today=TODAY)}
    assert found["term_differs_from_owners_committee"].params == {
        "oc_start": "2024-01-01",
        "oc_end": "2028-12-31",
    }


def test_bodies_compliance_for_a_list_in_fixed_queries(actor, small_tree, django_assert_max_num_queries):
    from gongzhi.bodies.selectors import bodies_compliance

    oc = _committee(actor, small_tree["compound"], "owners_committee", 4, owners_of=small_tree["dwellings"])
    rc = _committee(actor, small_tree["community"], "residents_committee", 5, first=20)
    with django_assert_max_num_queries(6):
        rows = dict(bodies_compliance([oc, rc], today=TODAY))
    assert "size_below_min" in {f.code for f in rows[oc]} and rows[rc] == []
