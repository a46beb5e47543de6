"""Appeals through the API and the pages: submit, the queue with counts, detail with allowed actions, one POST
per transition, JSON errors with stable codes in the request's language, the board without names."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.appeals.models import Appeal, AppealPhoto

from .cases_world import city_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_api_submit_act_and_rate(actor):
    """BZ-3.1 via the API: resident submits, the resident-group leader accepts and resolves, the resident rates."""
    w = city_world(actor, "binzhou")
    resident, leader = client_for(w["users"]["resident0"]), client_for(w["users"]["resident_group_leader"])
    created = post(
        resident,
        "/api/v1/appeals",
        {"category": "safety", "description": "井盖松动", "dwelling_id": w["homes"][0].pk},
    )
    assert created.status_code == 201, created.content
    appeal = created.json()["appeal"]
    assert appeal["step"] == "resident_group" and appeal["mine"]
    assert appeal["allowed_actions"] == []
    queue = leader.get("/api/v1/appeals").json()
    assert [a["id"] for a in queue["items"]] == [appeal["id"]] and queue["counts"] == {"submitted": 1}
    detail = leader.get(f"/api/v1/appeals/{appeal['id']}").json()
    assert "accept" in detail["allowed_actions"] and "escalate" not in detail["allowed_actions"]  # §5 #22
    assert post(leader, f"/api/v1/appeals/{appeal['id']}/accept", {"version": 1}).status_code == 200
    done = post(leader, f"/api/v1/appeals/{appeal['id']}/resolve", {"resolution": "已加固"})
    assert done.json()["state"] == "resolved"
    rated = post(resident, f"/api/v1/appeals/{appeal['id']}/confirm", {"rating": 4})
    assert rated.json()["state"] == "closed" and rated.json()["rating"] == 4
    assert [e["by"] for e in rated.json()["timeline"]][1] == "居民小组长"


def test_api_errors_are_json_with_stable_codes(actor):
    w = city_world(actor, "binzhou")
    resident = client_for(w["users"]["resident0"], HTTP_ACCEPT_LANGUAGE="en")
    created = post(
        resident,
        "/api/v1/appeals",
        {"category": "safety", "description": "x", "dwelling_id": w["homes"][0].pk},
    )
    pk = created.json()["appeal"]["id"]
    leader = client_for(w["users"]["resident_group_leader"], HTTP_ACCEPT_LANGUAGE="en")
    missing = post(leader, f"/api/v1/appeals/{pk}/escalate", {"reason": "无法解决"})
    assert missing.status_code == 409 and missing.json()["code"] == "not_attempted"
    post(leader, f"/api/v1/appeals/{pk}/accept", {})
    stale = post(leader, f"/api/v1/appeals/{pk}/record_progress", {"note": "在办", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "already_changed"
    assert "already changed" in stale.json()["message"]
    no_reason = post(leader, f"/api/v1/appeals/{pk}/escalate", {"reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "field_required"
    zh = post(
        client_for(w["users"]["resident_group_leader"]), f"/api/v1/appeals/{pk}/escalate", {"reason": " "}
    )
    assert zh.json()["message"] != no_reason.json()["message"]
    unknown = post(
        resident, "/api/v1/appeals", {"category": "ufo", "description": "x", "dwelling_id": w["homes"][0].pk}
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "category_unknown"


def test_pages_submit_on_the_form_with_a_photo_then_act(actor):
    w = city_world(actor, "huzhou")
    resident = client_for(w["users"]["resident0"])
    assert resident.get("/appeals/new/").status_code == 200
    photo = SimpleUploadedFile("p.png", b"\x89PNG photo", content_type="image/png")
    response = resident.post(
        "/appeals/new/",
        {"dwelling": w["homes"][0].pk, "category": "sanitation", "description": "楼道堆物", "severity": "normal",
         "channel": "web", "photos": photo},
    )  # fmt: skip
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and AppealPhoto.objects.filter(appeal=appeal).count() == 1
    mine = resident.get("/appeals/").content.decode()
    assert f"#{appeal.pk}" in mine
    page = client_for(w["users"]["building_leader"]).get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'id="action-accept"' in page
    done = client_for(w["users"]["building_leader"]).post(f"/appeals/{appeal.pk}/act/accept/", {"version": 1})
    assert done.status_code == 302 and Appeal.objects.get().state == "in_progress"
    again = client_for(w["users"]["grid_leader"]).post(f"/appeals/{appeal.pk}/act/accept/", {"version": 1})
    assert again.status_code == 409
    queue = client_for(w["users"]["community_worker"]).get("/appeals/queue/").content.decode()
    assert f"#{appeal.pk}" in queue


def test_a_bad_photo_is_refused_and_nothing_is_written(actor):
    w = city_world(actor, "huzhou")
    resident = client_for(w["users"]["resident0"])
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = resident.post(
        "/appeals/new/",
        {"dwelling": w["homes"][0].pk, "category": "sanitation", "description": "楼道堆物", "severity": "normal",
         "channel": "web", "photos": bad},
    )  # fmt: skip
    assert response.status_code == 400 and not Appeal.objects.exists()


def test_board_shows_outcomes_without_names_or_descriptions(actor):
    """BZ-5.2.2(a): feedback to residents, anonymised."""
    w = city_world(actor, "huzhou")
    resident = client_for(w["users"]["resident0"])
    post(
        resident,
        "/api/v1/appeals",
        {"category": "sanitation", "description": "私密描述", "dwelling_id": w["homes"][0].pk},
    )
    page = client_for(w["users"]["resident1"]).get(f"/appeals/board/{w['compound'].pk}/").content.decode()
    assert "环境卫生" in page or "sanitation" in page
    assert "私密描述" not in page and "居民0" not in page and "101" not in page
