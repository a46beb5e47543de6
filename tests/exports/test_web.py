"""The export pages: request form from the node page, my requests, awaiting my approval, the steps, and
errors shown in Chinese with their 4xx status."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.audit.models import AuditEntry
from gongzhi.exports.models import ExportRequest

from .conftest import PURPOSE, state

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def _new(node):
    return f"{reverse('exports:new')}?node={node.pk}"


def test_node_page_links_to_the_request_form(worker, small_tree):
    html = login(worker).get(reverse("web:node", args=[small_tree["community"].pk])).content.decode()
    assert 'id="request-export"' in html and _new(small_tree["community"]).replace("&", "&amp;") in html
    assert reverse("exports:mine") in html  # the menu entry


def test_menu_entry_only_for_roles_on_the_ladder(leader, small_tree):
    html = login(leader).get(reverse("web:home")).content.decode()
    assert reverse("exports:mine") not in html


def test_request_form_in_chinese(worker, small_tree):
    response = login(worker).get(_new(small_tree["community"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "月河社区" in html and "街道工作人员" in html and "7" in html and 'name="csrfmiddlewaretoken"' in html
    )


def test_request_is_sent_and_shown(worker, small_tree):
    client = login(worker)
    response = client.post(reverse("exports:new"), {"node": small_tree["community"].pk, "purpose": PURPOSE})
    r = ExportRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[r.pk])
    html = client.get(response.url).content.decode()
    assert "已提交审批" in html and PURPOSE in html and 'id="withdraw"' in html and 'id="approve"' not in html
    assert r.number in client.get(reverse("exports:mine")).content.decode()


def test_short_purpose_is_a_400_in_chinese(worker, small_tree):
    before = state()
    response = login(worker).post(
        reverse("exports:new"), {"node": small_tree["community"].pk, "purpose": "工作"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请更正" in html
    assert 'id="send"' in html and ">工作</textarea>" in html  # the form again, with what was typed
    assert state() == before


def test_out_of_scope_node_is_a_404(worker, other_street):
    assert login(worker).get(_new(other_street["community"])).status_code == 404
    before = state()
    response = login(worker).post(
        reverse("exports:new"), {"node": other_street["community"].pk, "purpose": PURPOSE}
    )
    assert response.status_code == 404 and state() == before


def test_role_that_may_not_export_gets_a_403_in_chinese(leader, small_tree):
    response = login(leader).get(_new(small_tree["building"]))
    assert response.status_code == 403 and "您的角色不能申请批量导出个人信息" in response.content.decode()


def test_approve_from_the_awaiting_list(requested, street_officer):
    client = login(street_officer)
    html = client.get(reverse("exports:awaiting")).content.decode()
    assert requested.number in html and "小张" in html
    page = client.get(reverse("exports:detail", args=[requested.pk])).content.decode()
    assert 'id="approve"' in page and 'id="reject"' in page and 'id="download"' not in page
    response = client.post(reverse("exports:approve", args=[requested.pk]), {"note": "同意"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == "approved" and requested.approver == street_officer


def test_reject_without_note_is_a_400_in_chinese(requested, street_officer):
    before = state()
    response = login(street_officer).post(reverse("exports:reject", args=[requested.pk]), {"note": ""})
    assert response.status_code == 400 and "请说明驳回的理由" in response.content.decode()
    assert state() == before


def test_requester_cannot_approve_and_sees_a_403(requested, worker):
    before = state()
    response = login(worker).post(reverse("exports:approve", args=[requested.pk]), {"note": ""})
    assert response.status_code == 403 and "任何人都不能审批自己的申请" in response.content.decode()
    assert state() == before


def test_download_after_approval(approved, worker):
    client = login(worker)
    assert 'id="download"' in client.get(reverse("exports:detail", args=[approved.pk])).content.decode()
    response = client.post(reverse("exports:download", args=[approved.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert (
        response["Content-Type"].startswith("application/vnd.openxml")
        and response["Cache-Control"] == "no-store"
    )
    assert approved.number in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="exports.downloaded").count() == 1


def test_download_is_post_only(approved, worker):
    assert login(worker).get(reverse("exports:download", args=[approved.pk])).status_code == 405


def test_download_needs_the_csrf_token(approved, worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    before = state()
    assert client.post(reverse("exports:download", args=[approved.pk])).status_code == 403
    assert state() == before


def test_expired_download_is_a_409_in_chinese(approved, worker):
    from django.utils import timezone

    ExportRequest.objects.filter(pk=approved.pk).update(expires_at=timezone.now())
    response = login(worker).post(reverse("exports:download", args=[approved.pk]))
    assert response.status_code == 409 and "审批已过期" in response.content.decode()
    assert "已过期" in login(worker).get(reverse("exports:detail", args=[approved.pk])).content.decode()


def test_other_peoples_requests_are_404(requested, district_officer, other_street_officer):
    for user in (district_officer, other_street_officer):
        client = login(user)
        assert client.get(reverse("exports:detail", args=[requested.pk])).status_code == 404
        assert client.post(reverse("exports:withdraw", args=[requested.pk])).status_code == 404


def test_withdraw(requested, worker):
    response = login(worker).post(reverse("exports:withdraw", args=[requested.pk]))
    requested.refresh_from_db()
    assert response.status_code == 302 and requested.status == "withdrawn"


def test_english_after_switching(worker, small_tree):
    html = login(worker).get(_new(small_tree["community"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Request an export of personal data" in html


def test_past_decider_who_left_sees_the_request_but_a_step_is_404(approved, street_officer):
    """Seeing a request one decided is not a right to act on it: a refused step answers like a missing one."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=street_officer).update(end=timezone.localdate() - dt.timedelta(days=1))
    client = login(street_officer)
    assert client.get(reverse("exports:detail", args=[approved.pk])).status_code == 200
    before = state()
    assert client.post(reverse("exports:download", args=[approved.pk])).status_code == 404
    assert client.post(reverse("exports:withdraw", args=[approved.pk])).status_code == 404
    assert state() == before
