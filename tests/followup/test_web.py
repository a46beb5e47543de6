"""Pages after the decision: the topic page's summary, the implementation page and its forms, the residents'
rating form, the stairwell notice, the community's filings and the success rate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.followup.models import Appraisal, FilingReceipt, Implementation

from .conftest import building_topic, compound_topic

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def due(days=30):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_the_topic_page_links_to_the_implementation(world):
    topic = building_topic(world)
    page = client_for(world["users"]["re1"]).get(f"/topics/{topic.pk}/").content.decode()
    assert 'id="followup-summary"' in page and f"/topics/{topic.pk}/followup/" in page
    assert "尚未指定落实单位" in page


def test_the_building_leader_appoints_and_the_osc_accepts_on_the_pages(world):
    topic = building_topic(world)
    bl, sc = client_for(world["users"]["bl"]), client_for(world["users"]["sc"])
    page = bl.get(f"/topics/{topic.pk}/followup/").content.decode()
    assert 'id="appoint-form"' in page
    assert 'id="appoint-form"' not in sc.get(f"/topics/{topic.pk}/followup/").content.decode()
    response = bl.post(
        f"/topics/{topic.pk}/followup/appoint/",
        {"implementer": "锦绣物业", "due_on": due(), "standard": "灯亮"},
    )
    assert response.status_code == 302
    impl = Implementation.objects.get()
    page = sc.get(f"/topics/{topic.pk}/followup/").content.decode()
    assert (
        'data-action="follow_up"' in page
        and 'data-action="accept"' in page
        and 'data-action="progress"' not in page
    )
    response = sc.post(f"/topics/{topic.pk}/followup/accept/", {"text": "验收合格", "version": impl.version})
    assert response.status_code == 302
    impl.refresh_from_db()
    assert impl.state == "done"
    assert "已完成并验收" in sc.get(f"/topics/{topic.pk}/followup/").content.decode()


def test_a_refused_form_shows_the_reason_in_chinese_and_changes_nothing(world):
    topic = building_topic(world)
    bl = client_for(world["users"]["bl"])
    bl.post(
        f"/topics/{topic.pk}/followup/appoint/",
        {"implementer": "锦绣物业", "due_on": due(), "standard": "灯亮"},
    )
    impl = Implementation.objects.get()
    response = bl.post(f"/topics/{topic.pk}/followup/change/", {"due_on": due(60), "version": impl.version})
    assert response.status_code == 400 and "需要说明理由" in response.content.decode()
    bad = bl.post(
        f"/topics/{topic.pk}/followup/appoint/", {"implementer": "x", "due_on": "明天", "standard": "y"}
    )
    assert bad.status_code == 400 and "日期格式为YYYY-MM-DD" in bad.content.decode()
    impl.refresh_from_db()
    assert impl.due_on.isoformat() == due() and impl.version == 0
    assert bl.post(f"/topics/{topic.pk}/followup/nonsense/", {}).status_code == 404


def test_a_resident_rates_once_and_the_notice_shows_the_result(world):
    topic = building_topic(world, until="notice_posted")
    re1 = client_for(world["users"]["re1"])
    page = re1.get(f"/topics/{topic.pk}/followup/").content.decode()
    assert page.count('class="card card-body mb-3 appraise-form"') == 1
    response = re1.post(
        f"/topics/{topic.pk}/followup/appraise/", {"dwelling": world["dwellings"][0].pk, "rating": 4}
    )
    assert response.status_code == 302 and Appraisal.objects.get().rating == 4
    again = re1.post(
        f"/topics/{topic.pk}/followup/appraise/", {"dwelling": world["dwellings"][0].pk, "rating": 1}
    )
    assert again.status_code == 409 and Appraisal.objects.count() == 1
    other = re1.post(
        f"/topics/{topic.pk}/followup/appraise/", {"dwelling": world["dwellings"][1].pk, "rating": 1}
    )
    assert other.status_code == 403
    notice = client_for(world["users"]["bl"]).get(f"/topics/{topic.pk}/notice/").content.decode()
    assert 'id="stairwell-notice"' in notice and "100.0%" in notice and "HZ-5.1.3.2.2.7" in notice


def test_the_community_worker_acknowledges_from_the_filings_list(world):
    topic = compound_topic(world)
    cw = client_for(world["users"]["cw"])
    url = f"/topics/filings/{world['community'].pk}/"
    page = cw.get(url).content.decode()
    assert "月河备2026-01" in page and "确认收到" in page
    response = cw.post(f"/topics/{topic.pk}/filing/acknowledge/", {"next": "list"})
    assert response.status_code == 302 and response["Location"] == url
    assert FilingReceipt.objects.get().by == world["users"]["cw"]
    assert client_for(world["users"]["bl"]).get(url).status_code == 404


def test_the_success_rate_page(world):
    building_topic(world, until="voted")
    page = client_for(world["users"]["cw"]).get(f"/topics/success/{world['community'].pk}/").content.decode()
    assert 'id="total-rate"' in page and "0.0%" in page and "锦绣小区" in page
    bad = client_for(world["users"]["cw"]).get(f"/topics/success/{world['community'].pk}/?start=x")
    assert bad.status_code == 200 and "日期格式为YYYY-MM-DD" in bad.content.decode()
    assert (
        client_for(world["users"]["out"]).get(f"/topics/success/{world['community'].pk}/").status_code == 404
    )


def test_the_topic_list_links_a_communitys_filings_and_success_rate(world):
    page = client_for(world["users"]["cw"]).get("/topics/").content.decode()
    community = world["community"].pk
    assert f"/topics/filings/{community}/" in page and f"/topics/success/{community}/" in page
    oc_page = client_for(world["users"]["oc"]).get("/topics/").content.decode()
    assert f"/topics/success/{world['compound'].pk}/" in oc_page and "/topics/filings/" not in oc_page


def test_an_undecided_topic_shows_no_implementation_block(world):
    topic = building_topic(world, until="screened")
    page = client_for(world["users"]["bl"]).get(f"/topics/{topic.pk}/").content.decode()
    assert 'id="followup-summary"' not in page


def test_milestones_on_the_page(world):
    topic = building_topic(world)
    bl, ps = client_for(world["users"]["bl"]), client_for(world["users"]["ps"])
    bl.post(
        f"/topics/{topic.pk}/followup/appoint/",
        {"implementer": "锦绣物业", "due_on": due(), "standard": "灯亮"},
    )
    response = bl.post(f"/topics/{topic.pk}/followup/milestone/", {"title": "采购灯具", "due_on": due(5)})
    assert response.status_code == 302
    milestone = Implementation.objects.get().milestones.get()
    page = ps.get(f"/topics/{topic.pk}/followup/").content.decode()
    assert (
        f'<option value="{milestone.pk}">采购灯具' in page
        and 'followup-form" data-action="milestone"' not in page
    )
    assert (
        ps.post(f"/topics/{topic.pk}/followup/milestone_reached/", {"milestone": milestone.pk}).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert milestone.reached_by == world["users"]["ps"]
    assert "已完成" in bl.get(f"/topics/{topic.pk}/followup/").content.decode()
