"""/api/v1/topics/{id}/implementation…, /appraisals, /filing/acknowledge, /communities/{id}/filings and
/topics/success-rate: the flow after a decision through the API, with JSON errors that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.followup.models import Appraisal, Event, Implementation

from .conftest import building_topic, compound_topic

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(f"/api/v1{url}", data, content_type="application/json")


def due(days=30):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_implementation_from_appointment_to_acceptance(world):
    """HZ-5.1.3.2.1.5 through the API: appoint (OC), progress (property), a delay with its reason, follow-up and
    acceptance (OSC)."""
    topic = compound_topic(world, until="resolved")
    oc, ps, sc = (client_for(world["users"][k]) for k in ("oc", "ps", "sc"))
    url = f"/topics/{topic.pk}/implementation"
    assert client_for(world["users"]["re1"]).get(f"/api/v1{url}").status_code == 404
    created = post(oc, url, {"implementer": "锦绣物业", "due_on": due(), "standard": "路灯全亮"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["overdue"]) == ("open", False)
    assert body["actions"] == ["progress", "change", "milestone", "milestone_reached"]
    assert post(ps, f"{url}/progress", {"text": "已进场", "percent": 20, "version": 0}).status_code == 201
    refused = post(oc, f"{url}/change", {"due_on": due(60), "version": 1})
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    changed = post(oc, f"{url}/change", {"due_on": due(60), "reason": "灯具缺货", "version": 1})
    assert changed.status_code == 201 and changed.json()["due_on"] == due(60)
    staged = post(oc, f"{url}/milestones", {"title": "采购灯具", "due_on": due(10)})
    assert staged.status_code == 201
    (milestone,) = staged.json()["milestones"]
    assert (milestone["title"], milestone["reached_at"], milestone["late"]) == ("采购灯具", None, False)
    late = post(oc, f"{url}/milestones", {"title": "安装", "due_on": due(61)})
    assert late.status_code == 400 and late.json()["code"] == "milestone_date"
    reached = post(ps, f"{url}/milestones/{milestone['id']}/reached", {"text": "已到货"})
    assert reached.status_code == 200 and reached.json()["milestones"][0]["reached_at"] is not None
    again = post(ps, f"{url}/milestones/{milestone['id']}/reached", {})
    assert again.status_code == 409 and again.json()["code"] == "reached"
    assert post(sc, f"{url}/follow-ups", {"text": "抽查"}).status_code == 201
    closed = post(sc, f"{url}/close", {"outcome": "accept", "text": "验收合格"})
    assert closed.status_code == 200
    body = closed.json()
    assert body["state"] == "done" and body["actions"] == []
    assert [e["action"] for e in body["events"]] == [
        "appoint",
        "progress",
        "change",
        "milestone",
        "milestone_reached",
        "follow_up",
        "accept",
    ]
    assert body["events"][2]["before"]["due_on"] == due() and body["events"][2]["text"] == "灯具缺货"


def test_refusals_answer_in_json_and_change_nothing(world):
    topic = compound_topic(world, until="resolved")
    url = f"/topics/{topic.pk}/implementation"
    sc = client_for(world["users"]["sc"])
    denied = post(sc, url, {"implementer": "x", "due_on": due(), "standard": "y"})
    assert denied.status_code == 403 and denied.json()["code"] == "not_allowed"
    bad = post(client_for(world["users"]["oc"]), url, {"implementer": "x", "due_on": "明天", "standard": "y"})
    assert bad.status_code == 422
    outsider = post(
        client_for(world["users"]["out"]), url, {"implementer": "x", "due_on": due(), "standard": "y"}
    )
    assert outsider.status_code == 404
    assert not Implementation.objects.exists() and not Event.objects.exists()


def test_stale_version_is_a_conflict(world):
    topic = compound_topic(world, until="resolved")
    url = f"/topics/{topic.pk}/implementation"
    oc, ps = client_for(world["users"]["oc"]), client_for(world["users"]["ps"])
    post(oc, url, {"implementer": "锦绣物业", "due_on": due(), "standard": "路灯全亮"})
    assert post(ps, f"{url}/progress", {"text": "一", "version": 0}).status_code == 201
    stale = post(ps, f"{url}/progress", {"text": "二", "version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"


def test_households_appraise_through_the_api_once(world):
    topic = building_topic(world, until="notice_posted")
    url = f"/topics/{topic.pk}/appraisals"
    re1 = client_for(world["users"]["re1"])
    mine = re1.get(f"/api/v1{url}").json()
    assert mine["open"] is True and mine["my_households"] == [
        {"dwelling_id": world["dwellings"][0].pk, "number": "101", "rated": False}
    ]
    done = post(re1, url, {"dwelling_id": world["dwellings"][0].pk, "rating": 5, "comment": "很亮"})
    assert done.status_code == 201
    body = done.json()
    assert (body["responses"], body["satisfied"], body["satisfaction_percent"]) == (1, 1, "100.0%")
    assert body["counts"]["5"] == 1 and body["my_households"][0]["rated"] is True
    again = post(re1, url, {"dwelling_id": world["dwellings"][0].pk, "rating": 1})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    other = post(re1, url, {"dwelling_id": world["dwellings"][1].pk, "rating": 1})
    assert other.status_code == 403 and other.json()["code"] == "not_your_household"
    assert Appraisal.objects.count() == 1


def test_filings_listed_for_the_community_and_acknowledged(world):
    topic = compound_topic(world)
    cw = client_for(world["users"]["cw"])
    listed = cw.get(f"/api/v1/communities/{world['community'].pk}/filings").json()
    assert [(f["topic_id"], f["reference"], f["filed_by"], f["acknowledged_by"]) for f in listed] == [
        (topic.pk, "月河备2026-01", "f-oc", None)
    ]
    ack = post(cw, f"/topics/{topic.pk}/filing/acknowledge", {"note": "已收"})
    assert ack.status_code == 201 and ack.json()["acknowledged_by"] == "f-cw"
    denied = post(client_for(world["users"]["oc"]), f"/topics/{topic.pk}/filing/acknowledge", {})
    assert denied.status_code == 403 and denied.json()["code"] == "not_allowed"
    assert (
        client_for(world["users"]["oc"])
        .get(f"/api/v1/communities/{world['community'].pk}/filings")
        .status_code
        == 404
    )


def test_a_topic_not_filed_has_no_filing(world):
    topic = compound_topic(world, until="published")
    response = post(client_for(world["users"]["cw"]), f"/topics/{topic.pk}/filing/acknowledge", {})
    assert response.status_code == 404


def test_success_rate_endpoint(world):
    building_topic(world, until="voted")
    cw = client_for(world["users"]["cw"])
    body = cw.get(f"/api/v1/topics/success-rate?node_id={world['community'].pk}").json()
    assert (body["total"]["accepted"], body["total"]["succeeded"], body["total"]["percent"]) == (1, 0, "0.0%")
    assert body["basis"] == ["HZ-6.1", "§5#29"] and body["children"][0]["node_id"] == world["compound"].pk
    bad = cw.get(
        f"/api/v1/topics/success-rate?node_id={world['community'].pk}&start=2026-05-02&end=2026-05-01"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "period_invalid"
    assert (
        client_for(world["users"]["out"])
        .get(f"/api/v1/topics/success-rate?node_id={world['community'].pk}")
        .status_code
        == 404
    )
