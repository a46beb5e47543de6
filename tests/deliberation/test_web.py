"""Topic pages: each procedure's stepper and the current step's form, a web step with each kind of record."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.deliberation import services
from gongzhi.deliberation.models import Step

pytestmark = pytest.mark.django_db

CASES = [  # procedure, node, who may take its first step
    ("building", "stairwell", "bl"),
    ("compound", "compound", "oc"),
    ("community", "community", "cw"),
    ("property_dispute", "compound", "cw"),
    ("joint_meeting", "compound", "oc"),
]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("kind", "node", "who"), CASES)
def test_each_procedure_shows_its_stepper_and_first_step_form(delib, kind, node, who):
    topic = services.topic_create(
        actor=delib["users"][who],
        node=delib[node],
        title=f"{kind}议题",
        source="reception_day",
        procedure=kind,
    )
    page = client_for(delib["users"][who]).get(f"/topics/{topic.pk}/").content.decode()
    assert 'data-state="new" data-status="current"' in page
    assert 'class="card card-body mb-3 step-form"' in page
    resident = client_for(delib["users"]["re"]).get(f"/topics/{topic.pk}/").content.decode()
    # Residents see the topic; only the joint meeting's proposal is theirs to make too (HZ-5.1.1.1).
    assert ("step-form" in resident) == (kind == "joint_meeting")


def test_a_joint_meeting_is_approved_on_the_web_only_with_every_bodys_approval(delib):
    """HZ-5.1.1.2 / §5#7 through the page's per-body positions."""
    oc = delib["users"]["oc"]
    topic = services.topic_create(
        actor=oc,
        node=delib["compound"],
        title="公共收益用于加装座椅",
        source="owners_group",
        procedure="joint_meeting",
    )
    client = client_for(oc)
    client.post(f"/topics/{topic.pk}/step/", {"target": "proposed", "document": "提议", "project": "座椅"})
    form = {
        "target": "approved",
        "document": "联席会议",
        "minutes": "讨论",
        "position_owners_committee": "approve",
    }
    refused = client.post(f"/topics/{topic.pk}/step/", {**form, "position_compound_party_org": "approve"})
    assert refused.status_code == 400 and not Step.objects.filter(topic=topic, target="approved").exists()
    everyone = {
        **form,
        "position_compound_party_org": "approve",
        "position_owners_supervisory_committee": "approve",
    }
    assert client.post(f"/topics/{topic.pk}/step/", everyone).status_code == 302
    assert (
        Step.objects.get(topic=topic, target="approved").record["positions"]["owners_supervisory_committee"]
        == "approve"
    )


def test_the_catalogue_page_lists_and_adds_matters(delib):
    client = client_for(delib["users"]["cw"])
    url = f"/topics/must-deliberate/{delib['community'].pk}/"
    assert client.post(url, {"title": "维修资金使用"}).status_code == 302
    assert "维修资金使用" in client.get(url).content.decode()
