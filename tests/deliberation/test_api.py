"""The /api/v1/topics and /api/v1/meetings endpoints: create, the stepper, steps with JSON errors, decide."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(f"/api/v1{url}", data, content_type="application/json")


def test_a_topic_is_created_and_moved_through_the_api(delib):
    bl = client_for(delib["users"]["bl"])
    payload = {
        "node_id": delib["stairwell"].pk,
        "title": "楼道灯",
        "source": "mailbox",
        "procedure": "building",
    }
    created = post(bl, "/topics", payload)
    assert created.status_code == 201
    topic = created.json()
    assert [s["status"] for s in topic["stepper"]][:2] == ["current", "todo"]
    assert [m["target"] for m in topic["moves"]] == ["collected"]
    moved = post(
        bl,
        f"/topics/{topic['id']}/steps",
        {"target": "collected", "version": 0, "record": {"document": "d", "source": "mailbox"}},
    )
    assert moved.status_code == 201 and moved.json()["state"] == "collected"
    assert moved.json()["steps"][0]["actor"] == "d-bl"


def test_a_skipped_step_answers_a_stable_code_in_the_users_language(delib):
    bl = client_for(delib["users"]["bl"])
    payload = {
        "node_id": delib["stairwell"].pk,
        "title": "楼道灯",
        "source": "mailbox",
        "procedure": "building",
    }
    topic = post(bl, "/topics", payload).json()
    refused = post(bl, f"/topics/{topic['id']}/steps", {"target": "voted", "record": {}})
    assert refused.status_code == 400 and refused.json()["code"] == "out_of_order"
    assert "不得跳过" in refused.json()["message"] and "new" not in refused.json()["message"]
    assert client_for(delib["users"]["bl"]).get(f"/api/v1/topics/{topic['id']}").json()["state"] == "new"


def test_the_wrong_level_is_refused(delib):
    bl = client_for(delib["users"]["bl"])
    payload = {"node_id": delib["stairwell"].pk, "title": "t", "source": "mailbox", "procedure": "community"}
    response = post(bl, "/topics", payload)
    assert response.status_code == 400 and response.json()["code"] == "level_not_allowed"


def test_a_listed_matter_cannot_be_decided_before_deliberation(delib):
    """NB-3.2.1 through the API: 409 must_deliberate."""
    cw = client_for(delib["users"]["cw"])
    entry = post(
        cw, f"/communities/{delib['community'].pk}/must-deliberate", {"title": "公共收益使用"}
    ).json()
    payload = {
        "node_id": delib["stairwell"].pk,
        "title": "t",
        "source": "mailbox",
        "procedure": "building",
        "matter_id": entry["id"],
    }
    topic = post(cw, "/topics", payload).json()
    refused = post(cw, f"/topics/{topic['id']}/decide", {"decision": "同意"})
    assert refused.status_code == 409 and refused.json()["code"] == "must_deliberate"
