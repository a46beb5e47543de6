"""An appeal turned into a deliberation topic at its level, or linked to one (issue 4 §1 "convenes a meeting at
that level (link a deliberation record)", issue 5 §1 "a handler can turn an appeal into a topic"): the case's
convene_meeting step (BZ-5.2.3(d)) with the topic on its timeline, the topic linking back, the handler told of
the decision; refusals write nothing; web and API both ways."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongzhi.appeals import cases, topics
from gongzhi.appeals.models import AppealEvent, AppealTopic
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Topic
from gongzhi.notices.models import Notice

from .cases_world import city_world

pytestmark = pytest.mark.django_db


def act(w, who, appeal, name, **data):
    return cases.appeal_transition(actor=w["users"][who], appeal_id=appeal.pk, transition=name, data=data)


def at_the_community(actor):
    """BZ: a case escalated from the resident group and accepted by the community worker."""
    w = city_world(actor, "binzhou")
    appeal = cases.appeal_submit(
        actor=w["users"]["resident0"], dwelling=w["homes"][0], category="safety", description="楼道灯坏了"
    ).appeal
    act(w, "resident_group_leader", appeal, "accept")
    act(w, "resident_group_leader", appeal, "escalate", reason="涉及多户")
    return w, act(w, "community_worker", appeal, "accept")


def client_for(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def test_bz_5_2_3_d_a_topic_at_the_community_is_the_meeting_before_escalating(actor):
    w, appeal = at_the_community(actor)
    appeal, topic = topics.appeal_convene_topic(
        actor=w["users"]["community_worker"], appeal_id=appeal.pk, procedure="community", title="楼道照明"
    )
    assert (topic.node, topic.source, topic.appeal_id, topic.procedure) == (
        w["community"],
        "appeal",
        appeal.pk,
        "community",
    )
    assert AppealTopic.objects.filter(
        appeal=appeal, topic=topic, step="community", created_from_appeal=True
    ).exists()
    event = AppealEvent.objects.filter(appeal=appeal, transition="convene_meeting").get()
    assert event.record["topic"] == topic.pk and event.clause == "BZ-5.2.3(d)"
    assert "community" in appeal.meeting_steps
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"deliberation.topic_created", "appeals.topic_linked", "appeals.convene_meeting"} <= actions
    appeal = act(w, "community_worker", appeal, "escalate", reason="需街道协调")  # the meeting was held
    assert appeal.step == "street"


def test_the_decision_tells_the_handlers_and_who_convened_it(actor):
    w, appeal = at_the_community(actor)
    appeal, topic = topics.appeal_convene_topic(
        actor=w["users"]["community_worker"], appeal_id=appeal.pk, procedure="community"
    )
    act(w, "community_worker", appeal, "escalate", reason="需街道协调")
    deliberation.topic_decide(actor=actor, topic=topic, decision="由街道协调物业维修")
    told = Notice.objects.filter(kind="appeals.topic_decided", subject_id=appeal.pk)
    users = set(told.values_list("recipient__username", flat=True))
    assert users == {"binzhou-street_officer", "binzhou-community_worker"}
    notice = told.first()
    assert notice.url_name == "appeals:detail" and notice.params["decision"] == "由街道协调物业维修"


def test_only_the_handler_of_the_rung_and_nothing_written_otherwise(actor):
    w, appeal = at_the_community(actor)
    for who in ("resident0", "street_officer"):
        with pytest.raises(Forbidden):
            topics.appeal_convene_topic(actor=w["users"][who], appeal_id=appeal.pk, procedure="community")
    with pytest.raises(InvalidInput):  # the procedure of another level
        topics.appeal_convene_topic(
            actor=w["users"]["community_worker"], appeal_id=appeal.pk, procedure="resident_group"
        )
    assert not Topic.objects.exists() and not AppealTopic.objects.exists()
    assert not AppealEvent.objects.filter(transition="convene_meeting").exists()


def test_a_case_waiting_to_be_accepted_cannot_convene(actor):
    w = city_world(actor, "binzhou")
    appeal = cases.appeal_submit(
        actor=w["users"]["resident0"], dwelling=w["homes"][0], category="safety", description="楼道灯坏了"
    ).appeal
    with pytest.raises(Conflict):
        topics.appeal_convene_topic(
            actor=w["users"]["resident_group_leader"], appeal_id=appeal.pk, procedure="resident_group"
        )
    assert not Topic.objects.exists()


def test_link_an_existing_topic_once(actor):
    w, appeal = at_the_community(actor)
    existing = deliberation.topic_create(
        actor=w["users"]["community_worker"],
        node=w["community"],
        title="社区照明改造",
        source="reception_day",
        procedure="community",
    )
    appeal, topic = topics.appeal_convene_topic(
        actor=w["users"]["community_worker"], appeal_id=appeal.pk, topic_id=existing.pk
    )
    assert topic == existing and Topic.objects.count() == 1
    assert list(topics.appeals_of(w["users"]["community_worker"], existing)) == [appeal]
    with pytest.raises(Conflict) as exc:
        topics.appeal_convene_topic(
            actor=w["users"]["community_worker"], appeal_id=appeal.pk, topic_id=existing.pk
        )
    assert exc.value.code == "topic_already_linked"


def test_a_level_without_a_procedure_links_instead(actor):
    w, appeal = at_the_community(actor)
    act(w, "community_worker", appeal, "convene_meeting", deliberation="居民议事会")
    appeal = act(w, "community_worker", appeal, "escalate", reason="需街道协调")
    appeal = act(w, "street_officer", appeal, "accept")
    with pytest.raises(InvalidInput) as exc:
        topics.appeal_convene_topic(
            actor=w["users"]["street_officer"], appeal_id=appeal.pk, procedure="community"
        )
    assert exc.value.code == "no_procedure_here"


def test_web_convene_and_links_both_ways(actor):
    w, appeal = at_the_community(actor)
    worker = client_for(w["users"]["community_worker"])
    page = worker.get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'id="convene-topic"' in page and 'value="community"' in page
    response = worker.post(
        f"/appeals/{appeal.pk}/topic/",
        {"procedure": "community", "title": "楼道照明", "version": appeal.version + 0},
    )
    assert response.status_code == 302
    topic = Topic.objects.get()
    page = worker.get(f"/appeals/{appeal.pk}/").content.decode()
    assert f'href="/topics/{topic.pk}/"' in page and 'class="timeline-topic"' in page
    topic_page = worker.get(f"/topics/{topic.pk}/").content.decode()
    assert f'href="/appeals/{appeal.pk}/"' in topic_page and 'id="topic-appeals"' in topic_page


def test_web_refusal_shows_the_message_and_writes_nothing(actor):
    w, appeal = at_the_community(actor)
    worker = client_for(w["users"]["community_worker"])
    response = worker.post(f"/appeals/{appeal.pk}/topic/", {"topic_id": "987654"})
    assert response.status_code == 404
    response = worker.post(f"/appeals/{appeal.pk}/topic/", {"procedure": "building"})
    assert response.status_code == 400
    assert not Topic.objects.exists()
    resident = client_for(w["users"]["resident0"])
    assert resident.post(f"/appeals/{appeal.pk}/topic/", {"procedure": "community"}).status_code == 403


def test_api_convene_and_links_both_ways(actor):
    w, appeal = at_the_community(actor)
    worker = client_for(w["users"]["community_worker"])
    detail = worker.get(f"/api/v1/appeals/{appeal.pk}").json()
    assert detail["topic_procedures"] == ["community"] and detail["topics"] == []
    response = worker.post(
        f"/api/v1/appeals/{appeal.pk}/topics",
        json.dumps({"procedure": "community", "title": "楼道照明", "version": detail["version"]}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    topic_id = body["topics"][0]["id"]
    assert body["topics"][0]["title"] == "楼道照明"
    assert [e["record"].get("topic") for e in body["timeline"] if e["transition"] == "convene_meeting"] == [
        topic_id
    ]
    back = worker.get(f"/api/v1/appeals?topic_id={topic_id}").json()
    assert [a["id"] for a in back["items"]] == [appeal.pk]
    stale = worker.post(
        f"/api/v1/appeals/{appeal.pk}/topics",
        json.dumps({"procedure": "community", "version": detail["version"]}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "already_changed"


def test_api_refusals_are_json(actor):
    w, appeal = at_the_community(actor)
    resident = client_for(w["users"]["resident0"], HTTP_ACCEPT_LANGUAGE="en")
    response = resident.post(
        f"/api/v1/appeals/{appeal.pk}/topics",
        json.dumps({"procedure": "community"}),
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    assert resident.get("/api/v1/appeals?topic_id=987654").status_code == 404
    assert not Topic.objects.exists()
