"""Issue 4 §3 for topics: participants hear of each step and of the decision, and a meeting's invitations reach
the roles and bodies it invites."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.deliberation import selectors, services
from gongzhi.notices.models import Notice

pytestmark = pytest.mark.django_db


def told(kind):
    return Notice.objects.filter(kind=kind)


def recipients(kind):
    return set(told(kind).values_list("recipient__username", flat=True))


@pytest.fixture
def topic(delib):
    return services.topic_create(
        actor=delib["users"]["cw"],
        node=delib["stairwell"],
        title="楼道堆物清理",
        source="building_leader_visit",
        procedure="building",
    )


def test_a_step_tells_the_participants_but_not_the_actor(delib, topic):
    bl = delib["users"]["bl"]
    services.topic_advance(
        actor=bl,
        topic=topic,
        target="collected",
        capacities=selectors.capacities_for(bl, topic),
        record={"document": "走访收集", "source": "building_leader_visit"},
    )
    assert recipients("deliberation.step") == {"d-cw"}  # who registered it
    notice = told("deliberation.step").get()
    assert (notice.subject_type, notice.subject_id, notice.url_name) == (
        "deliberation.topic",
        topic.pk,
        "deliberation:detail",
    )
    assert notice.params["state"] == "collected"


def test_a_meeting_invites_the_capacities_it_names(delib, topic):
    starts = timezone.now() + dt.timedelta(days=2)
    meeting = services.meeting_schedule(
        actor=delib["users"]["cw"],
        topic=topic,
        title="楼道会",
        format="on_site",
        starts_at=starts,
        invitees=["building_leader", "resident", "owners_committee"],
    )
    assert recipients("deliberation.meeting") == {"d-bl", "d-re", "d-oc"}
    notice = told("deliberation.meeting").first()
    assert (notice.url_name, notice.url_args) == ("deliberation:meeting", [meeting.pk])


def test_the_decision_tells_the_participants(delib, topic):
    bl = delib["users"]["bl"]
    services.topic_advance(
        actor=bl,
        topic=topic,
        target="collected",
        capacities=selectors.capacities_for(bl, topic),
        record={"document": "走访收集", "source": "building_leader_visit"},
    )
    services.topic_decide(actor=delib["users"]["cw"], topic=topic, decision="周六集中清理")
    assert recipients("deliberation.decided") == {"d-bl"}
    assert told("deliberation.decided").get().params["decision"] == "周六集中清理"
