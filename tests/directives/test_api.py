"""The directives API: issue, the unit's steps, JSON refusals with stable codes and clauses, reports."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongzhi.directives.models import Assignment, Directive

from .conftest import SIX, due, issue

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def payload(site, node, targets, **extra):
    return {
        "node_id": node.pk,
        "title": "垃圾分类入户宣传",
        "content": "入户宣传",
        "basis": "街道通知",
        "due_date": due(20).isoformat(),
        "targets": [{"node_id": t.pk, "due_date": due(20).isoformat()} for t in targets],
        **SIX,
        **extra,
    }


def test_issue_and_walk_the_cascade(site):
    so, cw = client_for(site["users"]["so"]), client_for(site["users"]["cw"])
    body = payload(site, site["street"], [site["community"]], access_item_id=site["items"]["allowed"].pk)
    created = post(so, "/api/v1/directives", body)
    assert created.status_code == 201, created.content
    d = created.json()
    (row,) = d["assignments"]
    assert row["state"] == "received" and not row["may_act"]
    base = f"/api/v1/directives/{d['id']}/assignments/{row['id']}"
    assert post(cw, f"{base}/acknowledge").json()["assignments"][0]["state"] == "acknowledged"
    done = post(cw, f"{base}/progress", {"percent": 70, "text": "七成"}).json()
    assert done["assignments"][0]["percent"] == 70 and done["percent"] == 70
    assert post(cw, f"{base}/complete").json()["completed"] is True
    listed = so.get("/api/v1/directives").json()
    assert listed["count"] == 1 and listed["items"][0]["percent"] == 100


def test_forbidden_kind_is_a_json_refusal_naming_the_clause(site):
    so = client_for(site["users"]["so"])
    body = payload(site, site["street"], [site["community"]], access_item_id=site["items"]["demolition"].pk)
    response = post(so, "/api/v1/directives", body)
    assert response.status_code == 400
    assert response.json()["code"] == "forbidden_kind" and "CZ-IV.6#3" in response.json()["message"]
    assert not Directive.objects.exists()


def test_english_refusal(site):
    so = client_for(site["users"]["so"])
    body = payload(site, site["street"], [site["community"]])
    response = so.post(
        "/api/v1/directives", json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["code"] == "access_item_required"
    assert "access list" in response.json()["message"]


def test_a_second_acknowledge_answers_conflict(site):
    cw = client_for(site["users"]["cw"])
    d = issue(site["users"]["cw"], site["community"], [site["compound"]])
    url = f"/api/v1/directives/{d.pk}/assignments/{d.assignments.get().pk}/acknowledge"
    assert post(cw, url).status_code == 200
    again = post(cw, url)
    assert again.status_code == 409 and again.json()["code"] == "already_changed"


def test_percent_out_of_range_is_validation_error(site):
    cw = client_for(site["users"]["cw"])
    d = issue(site["users"]["cw"], site["community"], [site["compound"]])
    row = d.assignments.get()
    response = post(
        cw, f"/api/v1/directives/{d.pk}/assignments/{row.pk}/progress", {"percent": 120, "text": "x"}
    )
    assert response.status_code == 422
    assert Assignment.objects.get(pk=row.pk).percent == 0


def test_reports_by_unit(site):
    so = client_for(site["users"]["so"])
    issue(site["users"]["so"], site["street"], [site["community"]], item=site["items"]["allowed"])
    today = due(0)
    rows = so.get(f"/api/v1/directives-reports/dispatch?year={today.year}&month={today.month}").json()
    assert [r["unit"] for r in rows] == [site["community"].name]
    d = due(30)
    quarter = (d.month - 1) // 3 + 1
    got = so.get(f"/api/v1/directives-reports/assessment?year={d.year}&quarter={quarter}").json()
    assert got == [
        {
            "unit": site["community"].name,
            "due": 1,
            "on_time": 0,
            "late": 0,
            "overdue_open": 0,
            "pending": 1,
            "on_time_rate": None,
            "appeals_available": True,
            "appeals_resolved": 0,
            "appeals_resolved_at_or_below": 0,
            "satisfaction_mean": None,
            "satisfaction_rated": 0,
            "satisfaction_no_response": 0,
        }
    ]


def test_the_countys_officer_keeps_its_access_list(site):
    do, so = client_for(site["users"]["do"]), client_for(site["users"]["so"])
    url = f"/api/v1/nodes/{site['district'].pk}/access-list"
    added = post(do, url, {"code": "B01", "title": "社区志愿服务", "kind": "assisted"})
    assert added.status_code == 201 and added.json()["kind"] == "assisted"
    again = post(do, url, {"code": "B01", "title": "重复", "kind": "allowed"})
    assert again.status_code == 409
    listed = so.get(f"/api/v1/nodes/{site['street'].pk}/access-list").json()
    assert "B01" in [i["code"] for i in listed]
    assert post(so, url, {"code": "B02", "title": "x", "kind": "allowed"}).status_code == 404  # not its node


def test_web_refusal_shows_the_clause_and_writes_nothing(site):
    from gongzhi.directives.models import Directive

    so = client_for(site["users"]["so"])
    form = {
        "title": "拆违",
        "content": "拆除违建",
        "basis": "文件",
        "due_date": due(10).isoformat(),
        **SIX,
        "units": [site["community"].pk],
        "access_item": site["items"]["demolition"].pk,
    }
    response = so.post(f"/directives/new/{site['street'].pk}/", form)
    assert response.status_code == 400 and "CZ-IV.6#3" in response.content.decode()
    assert not Directive.objects.exists()


def test_an_item_of_another_county_is_not_accepted(actor, site):
    from gongzhi.directives import services
    from gongzhi.tree import services as tree

    elsewhere = tree.node_create(actor=actor, parent=None, name="南浔区", level="district", code="330503")
    other = services.access_item_create(
        actor=actor, county=elsewhere, code="Z99", title="别处事项", kind="allowed"
    )
    so = client_for(site["users"]["so"])
    response = post(
        so, "/api/v1/directives", payload(site, site["street"], [site["community"]], access_item_id=other.pk)
    )
    assert response.status_code == 400 and response.json()["code"] == "access_item_unknown"


# --- per-unit deadlines on the web form; files through the API -------------------------------------------------


def test_web_form_gives_each_unit_its_own_deadline(site):
    """BZ-5.1.1.3 timetable: a unit may get an earlier deadline than the others; empty → the common one."""
    so = client_for(site["users"]["so"])
    street, first, second = site["street"], site["community"], site["community2"]
    page = so.get(f"/directives/new/{street.pk}/").content.decode()
    assert f'name="due_{first.pk}"' in page and f'name="due_{second.pk}"' in page
    form = {
        "title": "垃圾分类入户宣传", "content": "入户宣传", "basis": "街道通知", "due_date": due(20).isoformat(),
        **SIX, "units": [first.pk, second.pk], "units_due": due(15).isoformat(),
        f"due_{first.pk}": due(10).isoformat(), "access_item": site["items"]["allowed"].pk,
    }  # fmt: skip
    response = so.post(f"/directives/new/{street.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = dict(Assignment.objects.values_list("node_id", "due_date"))
    assert rows == {first.pk: due(10), second.pk: due(15)}
    late = so.post(f"/directives/new/{street.pk}/", form | {f"due_{second.pk}": due(25).isoformat()})
    assert late.status_code == 400 and Directive.objects.count() == 1  # later than the directive: refused


def test_api_attaches_lists_and_downloads_files(site):
    from django.core.files.uploadedfile import SimpleUploadedFile

    so, cw, cw2 = (client_for(site["users"][k]) for k in ("so", "cw", "cw2"))
    body = payload(site, site["street"], [site["community"]], access_item_id=site["items"]["allowed"].pk)
    d = post(so, "/api/v1/directives", body).json()
    plan = SimpleUploadedFile("方案.txt", "实施方案".encode(), content_type="text/plain")
    attached = so.post(f"/api/v1/directives/{d['id']}/files", {"files": [plan]})
    assert attached.status_code == 201, attached.content
    (file,) = attached.json()["files"]
    assert file["name"] == "方案.txt" and attached.json()["attachments"] == ["方案.txt"]
    got = cw.get(file["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == "实施方案".encode()
    assert cw2.get(file["url"]).status_code == 404  # another community does not see the directive
    extra = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    assert cw.post(f"/api/v1/directives/{d['id']}/files", {"files": [extra]}).status_code == 403
    row = d["assignments"][0]["id"]
    post(cw, f"/api/v1/directives/{d['id']}/assignments/{row}/acknowledge")
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    reported = cw.post(
        f"/api/v1/directives/{d['id']}/assignments/{row}/report",
        {"percent": 40, "text": "已完成四成", "files": [photo]},
    )
    assert reported.status_code == 200, reported.content
    assert reported.json()["assignments"][0]["percent"] == 40
    from gongzhi.directives.models import Attachment

    assert Attachment.objects.filter(report__isnull=False, name="现场.jpg").count() == 1
