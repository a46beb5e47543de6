"""Tree, dwellings and grids over the API."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.people import services as people
from gongzhi.tree.models import Dwelling, Grid, Node

pytestmark = pytest.mark.django_db


def test_roots_with_counts(api, small_tree, zh):
    body = api.get("/nodes").json()
    assert body["count"] == 1
    (root,) = body["items"]
    assert (root["name"], root["level"], root["dwellings"], root["residents"]) == ("吴兴区", "district", 3, 0)
    assert root["level_label"] == zh("district")


def test_children_of_a_node(api, small_tree, a_person, actor):
    people.residency_move_in(
        actor=actor,
        dwelling=small_tree["dwellings"][0],
        person=a_person,
        relation="owner",
        start=dt.date(2025, 1, 1),
    )
    body = api.get("/nodes", parent=small_tree["community"].pk).json()
    assert [(n["name"], n["dwellings"], n["residents"]) for n in body["items"]] == [("锦绣小区", 3, 1)]


def test_list_limit_is_capped(api, small_tree, assert_error):
    response = api.get("/nodes", limit=201)
    assert response.status_code == 422
    assert assert_error(response, "validation_error")["details"][0]["field"] == "limit"


def test_node_detail_has_ancestors_and_pack_in_force(api, small_tree):
    body = api.get(f"/nodes/{small_tree['building'].pk}").json()
    assert [a["name"] for a in body["ancestors"]] == ["吴兴区", "月河街道", "月河社区", "锦绣小区"]
    assert body["policy_pack"] == ""
    assert body["policy_pack_in_force"] == "huzhou"
    assert body["dwellings"] == 3


def test_create_node(api, small_tree):
    response = api.post(
        "/nodes", {"parent_id": small_tree["compound"].pk, "name": "2幢", "level": "building"}
    )
    assert response.status_code == 201
    node = Node.objects.get(pk=response.json()["id"])
    assert (node.name, Node.objects.get_parent(node)) == ("2幢", small_tree["compound"])


def test_update_node(api, small_tree):
    response = api.patch(f"/nodes/{small_tree['compound'].pk}", {"name": "锦绣花园"})
    assert response.status_code == 200
    assert response.json()["name"] == "锦绣花园"
    assert Node.objects.get(pk=small_tree["compound"].pk).name == "锦绣花园"


def test_update_node_rejects_empty_name(api, small_tree, assert_error, audit_count, zh):
    before = audit_count()
    response = api.patch(f"/nodes/{small_tree['compound'].pk}", {"name": "  "})
    assert assert_error(response, "name_required")["message"] == zh("A name is required.")
    assert audit_count() == before


def test_node_dwellings_paginated(api, small_tree):
    body = api.get(f"/nodes/{small_tree['compound'].pk}/dwellings", limit=2, offset=1).json()
    assert body["count"] == 3
    assert [d["number"] for d in body["items"]] == ["201", "301"]


def test_dwelling_detail_area_is_a_string(api, small_tree, a_person, actor):
    dwelling = small_tree["dwellings"][0]
    people.ownership_open(actor=actor, dwelling=dwelling, person=a_person, start=dt.date(2020, 1, 1))
    people.residency_move_in(
        actor=actor,
        dwelling=dwelling,
        person=a_person,
        relation="owner",
        start=dt.date(2020, 1, 1),
        is_representative=True,
    )
    response = api.get(f"/dwellings/{dwelling.pk}")
    assert '"area": "89.47"' in response.content.decode()
    body = response.json()
    assert body["owners"][0]["person"] == {
        "id": a_person.pk,
        "name": "张三",
        "id_number_masked": "110105********002X",
        "phone_masked": "138****5678",
    }
    assert body["household"][0]["is_representative"] is True
    assert body["stairwell"]["name"] == "1单元"


def test_create_dwelling(api, small_tree):
    response = api.post(
        "/dwellings",
        {"stairwell_id": small_tree["stairwell"].pk, "number": "401", "area": "100.5", "floor": 4},
    )
    assert response.status_code == 201
    assert response.json()["area"] == "100.50"
    assert Dwelling.objects.get(number="401").floor == 4


@pytest.mark.parametrize("lang", [None, "en"])
def test_bad_area_is_rejected_in_the_request_language(api, small_tree, assert_error, audit_count, zh, lang):
    msgid = "The floor area has at most two decimal places."
    message = msgid if lang == "en" else zh(msgid)
    rows, entries = Dwelling.objects.count(), audit_count()
    response = api.post(
        "/dwellings",
        {"stairwell_id": small_tree["stairwell"].pk, "number": "401", "area": "12.345"},
        lang=lang,
    )
    assert response.status_code == 400
    assert assert_error(response, "area_invalid")["message"] == message
    assert (Dwelling.objects.count(), audit_count()) == (rows, entries)


def test_area_as_json_number_is_refused(api, small_tree, assert_error):
    response = api.post(
        "/dwellings", {"stairwell_id": small_tree["stairwell"].pk, "number": "401", "area": 89.47}
    )
    assert response.status_code == 422
    assert assert_error(response, "validation_error")["details"][0]["field"] == "area"


def test_update_dwelling(api, small_tree, audit_count):
    dwelling = small_tree["dwellings"][0]
    response = api.patch(f"/dwellings/{dwelling.pk}", {"area": "90", "use": "commercial"})
    assert response.status_code == 200
    assert (response.json()["area"], response.json()["use"]) == ("90.00", "commercial")


def test_update_dwelling_bad_area_writes_nothing(api, small_tree, audit_count, assert_error):
    dwelling = small_tree["dwellings"][0]
    before = audit_count()
    response = api.patch(f"/dwellings/{dwelling.pk}", {"area": "12.345"})
    assert_error(response, "area_invalid")
    assert str(Dwelling.objects.get(pk=dwelling.pk).area) == "89.47"
    assert audit_count() == before


def test_grids_create_assign_and_ungridded(api, small_tree):
    community = small_tree["community"]
    assert api.get(f"/communities/{community.pk}/ungridded-dwellings").json()["count"] == 3
    response = api.post("/grids", {"community_id": community.pk, "name": "第一网格"})
    assert response.status_code == 201
    grid_id = response.json()["id"]
    moved = api.post(f"/grids/{grid_id}/assign", {"building_ids": [small_tree["building"].pk]}).json()
    assert moved == {"moved": 3}
    assert api.get(f"/communities/{community.pk}/ungridded-dwellings").json()["count"] == 0
    grids = api.get(f"/communities/{community.pk}/grids").json()
    assert [(g["name"], g["dwelling_count"]) for g in grids["items"]] == [("第一网格", 3)]


def test_micro_grid_and_single_dwelling(api, small_tree):
    community = small_tree["community"]
    grid = api.post("/grids", {"community_id": community.pk, "name": "第一网格"}).json()
    micro = api.post(
        "/grids", {"community_id": community.pk, "name": "微网格1", "parent_id": grid["id"]}
    ).json()
    assert micro["kind"] == "micro_grid"
    dwelling = small_tree["dwellings"][0]
    assert api.post(f"/grids/{micro['id']}/assign", {"dwelling_ids": [dwelling.pk]}).json() == {"moved": 1}
    dwelling.refresh_from_db()
    assert (dwelling.grid_id, dwelling.micro_grid_id) == (grid["id"], micro["id"])


def test_grids_of_a_non_community_is_400(api, small_tree, assert_error, zh):
    response = api.get(f"/communities/{small_tree['street'].pk}/grids")
    assert assert_error(response, "not_a_community")["message"] == zh("This node is not a community.")
    assert not Grid.objects.exists()
