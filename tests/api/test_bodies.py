"""Bodies and their members over the API."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.bodies import services as bodies
from gongzhi.bodies.models import Body, BodyMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(actor, small_tree):
    return bodies.body_create(
        actor=actor,
        kind="owners_committee",
        node=small_tree["compound"],
        name="锦绣业委会",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2028, 12, 31),
    )


def test_bodies_on_and_under_a_node(api, small_tree, committee, actor, zh):
    bodies.body_create(
        actor=actor, kind="residents_committee", node=small_tree["community"], name="月河居委会"
    )
    under_community = api.get("/bodies", node=small_tree["community"].pk).json()
    assert under_community["count"] == 2
    under_compound = api.get("/bodies", node=small_tree["compound"].pk).json()
    assert [b["name"] for b in under_compound["items"]] == ["锦绣业委会"]
    assert under_compound["items"][0]["kind_label"] == zh("owners' committee")


def test_body_detail_with_members(api, committee, a_person, actor):
    bodies.member_add(
        actor=actor, body=committee, person=a_person, term_start=dt.date(2024, 1, 1), position="chair"
    )
    body = api.get(f"/bodies/{committee.pk}").json()
    (member,) = body["members"]
    assert (member["position"], member["person"]["id_number_masked"]) == ("chair", "110105********002X")


def test_create_and_update_body(api, small_tree):
    response = api.post(
        "/bodies",
        {
            "kind": "owners_committee",
            "node_id": small_tree["compound"].pk,
            "name": "业委会",
            "term_start": "2025-01-01",
        },
    )
    assert response.status_code == 201
    body_id = response.json()["id"]
    updated = api.patch(f"/bodies/{body_id}", {"term_end": "2029-12-31"})
    assert updated.json()["term_end"] == "2029-12-31"
    assert Body.objects.get(pk=body_id).term_end == dt.date(2029, 12, 31)


def test_body_at_wrong_level_writes_nothing(api, small_tree, assert_error, audit_count, zh):
    before = audit_count()
    response = api.post(
        "/bodies", {"kind": "owners_committee", "node_id": small_tree["street"].pk, "name": "x"}
    )
    assert assert_error(response, "level_not_allowed")["message"] == zh(
        "A body of this kind cannot be attached at this level."
    )
    assert (Body.objects.count(), audit_count()) == (0, before)


def test_add_and_end_member(api, committee, a_person):
    response = api.post(
        f"/bodies/{committee.pk}/members",
        {
            "person_id": a_person.pk,
            "term_start": "2024-01-01",
            "position": "member",
            "elected_how": "owners_assembly",
        },
    )
    assert response.status_code == 201
    membership_id = response.json()["id"]
    ended = api.post(f"/memberships/{membership_id}/end", {"ended_on": "2025-03-01"})
    assert ended.json()["ended_on"] == "2025-03-01"
    assert BodyMembership.objects.get(pk=membership_id).ended_on == dt.date(2025, 3, 1)
