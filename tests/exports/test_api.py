"""The exports API: status codes, JSON error codes, 404 alike for missing and not-yours, the .xlsx download."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.accounts.tokens import api_token_create, flush_token_touches
from gongzhi.exports.models import ExportRequest
from gongzhi.roster.columns import WATERMARK_MARK

from .conftest import PURPOSE, state

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user=None, lang=None, token=None):
        self.client = Client()
        if user is not None and token is None:
            self.client.force_login(user)
        self.headers = {"Accept-Language": lang} if lang else {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, url, **params):
        return self.client.get(f"/api/v1{url}", params, headers=self.headers)

    def post(self, url, data=None):
        return self.client.post(
            f"/api/v1{url}", data or {}, content_type="application/json", headers=self.headers
        )


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code, body
    return body


def test_create_then_list_and_get(worker, small_tree):
    api = Api(worker)
    response = api.post("/exports", {"node_id": small_tree["community"].pk, "purpose": PURPOSE})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and body["requester_role"] == "community_worker"
    assert body["approver_role"] == "street_officer" and body["actions"] == ["withdraw"]
    assert body["number"] == ExportRequest.objects.get().number
    mine = api.get("/exports").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == body["id"]
    assert api.get(f"/exports/{body['id']}").json()["purpose"] == PURPOSE


def test_short_purpose_is_422(worker, small_tree):
    before = state()
    body = error(
        Api(worker).post("/exports", {"node_id": small_tree["community"].pk, "purpose": "工作"}),
        422,
        "validation_error",
    )
    assert body["details"][0]["field"] == "purpose" and state() == before


def test_out_of_scope_node_is_404(worker, other_street):
    before = state()
    error(
        Api(worker).post("/exports", {"node_id": other_street["community"].pk, "purpose": PURPOSE}),
        404,
        "not_found",
    )
    error(Api(worker).post("/exports", {"node_id": 999999, "purpose": PURPOSE}), 404, "not_found")
    assert state() == before


def test_role_that_may_not_export_is_403_in_chinese(leader, small_tree):
    body = error(
        Api(leader).post("/exports", {"node_id": small_tree["building"].pk, "purpose": PURPOSE}),
        403,
        "role_may_not_export",
    )
    assert body["message"] == "您的角色不能申请批量导出个人信息。"


def test_english_messages_on_request(leader, small_tree):
    body = error(
        Api(leader, lang="en").post("/exports", {"node_id": small_tree["building"].pk, "purpose": PURPOSE}),
        403,
        "role_may_not_export",
    )
    assert body["message"] == "Your role may not request a bulk export of personal data."


def test_stairwell_is_400(worker, small_tree):
    error(
        Api(worker).post("/exports", {"node_id": small_tree["stairwell"].pk, "purpose": PURPOSE}),
        400,
        "level_not_exportable",
    )


def test_missing_and_not_yours_answer_alike(requested, district_officer, other_street_officer):
    for user in (district_officer, other_street_officer):
        api = Api(user)
        a = error(api.get(f"/exports/{requested.pk}"), 404, "not_found")
        b = error(api.get(f"/exports/{requested.pk + 1000}"), 404, "not_found")
        assert a == b
        error(api.post(f"/exports/{requested.pk}/approve"), 404, "not_found")
        assert api.get("/exports/awaiting").json()["count"] == 0


def test_awaiting_and_approve(requested, street_officer):
    api = Api(street_officer)
    awaiting = api.get("/exports/awaiting").json()
    assert [i["id"] for i in awaiting["items"]] == [requested.pk]
    assert awaiting["items"][0]["actions"] == ["approve", "reject"]
    body = api.post(f"/exports/{requested.pk}/approve", {"note": "同意"}).json()
    assert body["status"] == "approved" and body["approver_id"] == street_officer.pk and body["expires_at"]
    error(api.post(f"/exports/{requested.pk}/approve"), 409, "wrong_state")


def test_requester_cannot_approve(requested, worker):
    before = state()
    error(Api(worker).post(f"/exports/{requested.pk}/approve"), 403, "own_request")
    assert state() == before


def test_reject_needs_a_note(requested, street_officer):
    api = Api(street_officer)
    error(api.post(f"/exports/{requested.pk}/reject", {"note": ""}), 400, "note_required")
    body = api.post(f"/exports/{requested.pk}/reject", {"note": "范围过大，请缩小到小区"}).json()
    assert body["status"] == "rejected" and body["decision_note"] == "范围过大，请缩小到小区"


def test_unknown_field_is_422(requested, street_officer):
    error(
        Api(street_officer).post(f"/exports/{requested.pk}/approve", {"notes": "x"}), 422, "validation_error"
    )


def test_withdraw(requested, worker, street_officer):
    error(Api(street_officer).post(f"/exports/{requested.pk}/withdraw"), 403, "not_your_step")
    assert Api(worker).post(f"/exports/{requested.pk}/withdraw").json()["status"] == "withdrawn"


def test_download_returns_the_watermarked_workbook(approved, worker):
    response = Api(worker).post(f"/exports/{approved.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(response.content))
    assert wb["人员"]["A1"].value.startswith(WATERMARK_MARK) and approved.number in wb["人员"]["A1"].value
    assert Api(worker).get(f"/exports/{approved.pk}").json()["download_count"] == 1


def test_download_refusals(requested, approved, worker, street_officer):
    error(Api(street_officer).post(f"/exports/{approved.pk}/download"), 403, "not_your_step")
    ExportRequest.objects.filter(pk=approved.pk).update(expires_at=timezone.now())
    before = state()
    error(Api(worker).post(f"/exports/{approved.pk}/download"), 409, "approval_expired")
    assert Api(worker).get(f"/exports/{approved.pk}").json()["status"] == "expired"
    assert state() == before


def test_token_cannot_download_full_identifiers(worker, street_officer, small_tree, residents):
    """A personal token never counts as a confirmed second factor, so full values never go out through it."""
    token = api_token_create(actor=worker, name="script")[1]
    api = Api(worker, token=token)
    created = api.post(
        "/exports", {"node_id": small_tree["community"].pk, "purpose": PURPOSE, "clear_identifiers": True}
    ).json()
    Api(street_officer).post(f"/exports/{created['id']}/approve")
    error(api.post(f"/exports/{created['id']}/download"), 403, "second_factor_required")


def test_anonymous_is_401(requested):
    error(Api().get("/exports"), 401, "unauthenticated")


def test_download_is_documented_as_xlsx(client):
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/exports/{request_id}/download"]["post"]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        in op["responses"]["200"]["content"]
    )
    assert "application/json" in op["responses"]["404"]["content"]


def test_lists_cost_a_fixed_number_of_queries(
    worker, street_officer, small_tree, django_assert_max_num_queries
):
    from gongzhi.exports import services

    for _ in range(5):
        services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)
    api = Api(street_officer)
    api.get("/exports/awaiting")  # warm the session
    flush_token_touches()  # the token's "last used" write (every TOUCH_FLUSH_SECONDS) is not counted here
    with django_assert_max_num_queries(8):
        assert api.get("/exports/awaiting").json()["count"] == 5
