"""Compliance findings over the API: one body, and a whole community (HZ-A.2.1.1: owners' committee size)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.bodies import services as bodies
from gongzhi.people import services as people

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


@pytest.fixture
def small_committee(actor, small_tree):
    """An owners' committee of 4 (Huzhou wants an odd number of at least 5)."""
    body = bodies.body_create(
        actor=actor,
        kind="owners_committee",
        node=small_tree["compound"],
        name="业委会",
        term_start=START,
        term_end=dt.date(2028, 12, 31),
    )
    for i in range(4):
        person = people.person_create(actor=actor, name=f"成员{i}", is_party_member=True)
        people.ownership_open(
            actor=actor, dwelling=small_tree["dwellings"][i % 3], person=person, start=START
        )
        position = "chair" if i == 0 else "vice_chair" if i == 1 else "member"
        bodies.member_add(actor=actor, body=body, person=person, position=position, term_start=START)
    return body


def test_body_compliance_hz_a_2_1_1(api, small_committee):
    response = api.get(f"/bodies/{small_committee.pk}/compliance", on="2026-01-01")
    assert response.status_code == 200
    found = {f["code"]: f for f in response.json()}
    assert {"size_below_min", "size_even"} <= set(found)
    assert found["size_below_min"]["severity"] == "error"
    assert "HZ-A.2.1.1" in found["size_below_min"]["clause"]


def test_finding_messages_follow_the_request_language(api, small_committee):
    zh = {f["code"]: f["message"] for f in api.get(f"/bodies/{small_committee.pk}/compliance").json()}
    api.headers = {"Accept-Language": "en"}
    en = {f["code"]: f["message"] for f in api.get(f"/bodies/{small_committee.pk}/compliance").json()}
    assert zh["size_below_min"] != en["size_below_min"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["size_below_min"])


def test_community_compliance(api, small_tree, small_committee):
    response = api.get(f"/communities/{small_tree['community'].pk}/compliance")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["body"]["id"] == small_committee.pk
    assert "size_below_min" in {f["code"] for f in row["findings"]}


def test_community_compliance_out_of_scope_is_404(worker_api, other_community):
    response = worker_api.get(f"/communities/{other_community['community'].pk}/compliance")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
