"""People, ownerships and household memberships over the API; numbers go out masked."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.people import services as people
from gongzhi.people.models import Ownership, Person, Residency

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def test_search_people_masks_numbers(api, a_person):
    people.person_create(actor=None, name="李四")
    body = api.get("/people", search="张").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["id_number_masked"], item["phone_masked"]) == ("110105********002X", "138****5678")
    assert VALID_ID not in str(body) and "13812345678" not in str(body)


def test_search_by_full_id_number(api, a_person):
    assert api.get("/people", search=VALID_ID.lower()).json()["count"] == 1


def test_person_detail(api, a_person):
    body = api.get(f"/people/{a_person.pk}").json()
    assert (body["name"], body["gender"], body["ownerships"], body["residencies"]) == ("张三", "F", [], [])


def test_create_person(api):
    response = api.post(
        "/people", {"name": "王五", "id_number": VALID_ID, "phone": "13900001111", "tags": ["elderly_alone"]}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["tags"], body["phone_masked"]) == (["elderly_alone"], "139****1111")
    assert Person.objects.get(pk=body["id"]).id_number == VALID_ID


@pytest.mark.parametrize("lang", [None, "en"])
def test_bad_id_checksum_is_rejected(api, assert_error, audit_count, zh, lang):
    msgid = "The ID number's check digit is wrong."
    message = msgid if lang == "en" else zh(msgid)
    rows, entries = Person.objects.count(), audit_count()
    response = api.post("/people", {"name": "王五", "id_number": "110105194912310021"}, lang=lang)
    assert response.status_code == 400
    assert assert_error(response, "id_checksum")["message"] == message
    assert (Person.objects.count(), audit_count()) == (rows, entries)


def test_update_person_and_tags(api, a_person):
    response = api.patch(f"/people/{a_person.pk}", {"phone": "13700002222", "tags": ["disabled"]})
    assert response.status_code == 200
    a_person.refresh_from_db()
    assert a_person.phone == "13700002222"
    assert list(a_person.tags.values_list("tag", flat=True)) == ["disabled"]


def test_ownership_open_and_close(api, a_person, small_tree):
    dwelling = small_tree["dwellings"][0]
    response = api.post(
        f"/people/{a_person.pk}/ownerships", {"dwelling_id": dwelling.pk, "start": "2020-01-01"}
    )
    assert response.status_code == 201
    ownership_id = response.json()["id"]
    closed = api.post(f"/ownerships/{ownership_id}/close", {"end": "2025-06-01"})
    assert closed.json()["end"] == "2025-06-01"
    assert Ownership.objects.get(pk=ownership_id).end == dt.date(2025, 6, 1)


def test_move_in_representative_and_move_out(api, a_person, small_tree):
    dwelling = small_tree["dwellings"][0]
    response = api.post(
        "/residencies",
        {"person_id": a_person.pk, "dwelling_id": dwelling.pk, "relation": "owner", "start": "2024-01-01"},
    )
    assert response.status_code == 201
    residency_id = response.json()["id"]
    made = api.post(f"/residencies/{residency_id}/make-representative")
    assert made.json()["is_representative"] is True
    out = api.post(f"/residencies/{residency_id}/move-out", {"end": "2025-01-01"})
    assert (out.json()["end"], out.json()["is_representative"]) == ("2025-01-01", False)
    assert not Residency.objects.filter(end__isnull=True).exists()


def test_unknown_relation_is_422(api, a_person, small_tree, assert_error):
    response = api.post(
        "/residencies",
        {
            "person_id": a_person.pk,
            "dwelling_id": small_tree["dwellings"][0].pk,
            "relation": "cousin",
            "start": "2024-01-01",
        },
    )
    assert assert_error(response, "validation_error")["details"][0]["field"] == "relation"
    assert not Residency.objects.exists()


def test_people_list_is_paginated(api):
    for i in range(3):
        people.person_create(actor=None, name=f"居民{i}")
    body = api.get("/people", limit=2, offset=2).json()
    assert (body["count"], [p["name"] for p in body["items"]]) == (3, ["居民2"])
