"""REST endpoints for bulk exports (CZ-VI.3): request, list mine / awaiting my approval, read one, approve,
reject, withdraw, download. Requests answer the same 404 for missing and not-yours ids; the download is the
watermarked .xlsx (made for that download, audited), everything else is JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.accounts.selectors import active_roles
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page
from gongzhi.exports import approval, presenting, selectors, services
from gongzhi.exports.models import ExportKind, ExportRequest
from gongzhi.exports.views import XLSX_TYPE, xlsx_response

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ExportRequestIn(Strict):
    node_id: int = Field(
        description="The unit to export: a community, a compound or building in it, a street…"
    )
    kind: ExportKind = ExportKind.ROSTER
    purpose: str = Field(
        min_length=approval.PURPOSE_MIN_CHARS,
        max_length=approval.PURPOSE_MAX_CHARS,
        description="Why the data is needed; printed on every sheet of the file.",
    )
    clear_identifiers: bool = Field(
        False, description="Ask for full ID numbers and phones in the file (masked otherwise)."
    )


class DecisionIn(Strict):
    note: str = Field("", max_length=approval.NOTE_MAX_CHARS, description="Required when rejecting.")


class ExportRequestOut(Schema):
    id: int
    number: str
    node_id: int
    node_name: str
    kind: ExportKind
    purpose: str
    clear_identifiers: bool
    status: str = Field(description="requested, approved, downloaded, rejected, withdrawn, or expired")
    requester_id: int
    requester_role: str
    approver_role: str = Field(description='The role that approves: one level up ("platform_admin" on top).')
    requested_at: dt.datetime
    approver_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
    expires_at: dt.datetime | None
    download_count: int
    last_downloaded_at: dt.datetime | None
    actions: list[str] = Field(description="The steps you may take now: approve, reject, withdraw, download.")


class ExportRequestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ExportRequestOut]


def request_out(user: Any, r: ExportRequest, roles: selectors.Roles | None = None) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "node_id": r.node_id,
        "node_name": r.node.name,
        "kind": r.kind,
        "purpose": r.purpose,
        "clear_identifiers": r.clear_identifiers,
        "status": presenting.shown_status(r),
        "requester_id": r.requester_id,
        "requester_role": r.requester_role,
        "approver_role": approval.approver_role(r.requester_role) or "",
        "requested_at": r.requested_at,
        "approver_id": r.approver_id,
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
        "expires_at": r.expires_at,
        "download_count": r.download_count,
        "last_downloaded_at": r.last_downloaded_at,
        "actions": presenting.actions_for(user, r, roles),
    }


@router.post("/exports", response=with_errors({201: ExportRequestOut}), summary="Request a bulk export")
def export_request_create(request: HttpRequest, payload: ExportRequestIn) -> Status[dict[str, Any]]:
    node = selectors.node_for_request(request.user, payload.node_id)
    created = services.export_request_create(
        actor=request.user,
        node=node,
        kind=payload.kind.value,
        purpose=payload.purpose,
        clear_identifiers=payload.clear_identifiers,
    )
    return Status(201, request_out(request.user, created))


@router.get("/exports", response=with_errors({200: ExportRequestPage}), summary="My export requests")
def export_requests_mine(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    roles = list(active_roles(request.user))
    return page(selectors.requests_of(request.user), params, lambda r: request_out(request.user, r, roles))


@router.get(
    "/exports/awaiting",
    response=with_errors({200: ExportRequestPage}),
    summary="Export requests awaiting my approval",
)
def export_requests_awaiting(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    roles = list(active_roles(request.user))
    qs = selectors.requests_awaiting(request.user)
    return page(qs, params, lambda r: request_out(request.user, r, roles))


@router.get(
    "/exports/{request_id}", response=with_errors({200: ExportRequestOut}), summary="An export request"
)
def export_request_get(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return request_out(request.user, selectors.request_get_for(request.user, request_id))


@router.post(
    "/exports/{request_id}/approve",
    response=with_errors({200: ExportRequestOut}),
    summary="Approve a request",
)
def export_request_approve(request: HttpRequest, request_id: int, payload: DecisionIn) -> dict[str, Any]:
    export = selectors.request_get_for(request.user, request_id)
    done = services.export_request_approve(actor=request.user, request=export, note=payload.note)
    return request_out(request.user, done)


@router.post(
    "/exports/{request_id}/reject",
    response=with_errors({200: ExportRequestOut}),
    summary="Reject a request (with a note)",
)
def export_request_reject(request: HttpRequest, request_id: int, payload: DecisionIn) -> dict[str, Any]:
    export = selectors.request_get_for(request.user, request_id)
    done = services.export_request_reject(actor=request.user, request=export, note=payload.note)
    return request_out(request.user, done)


@router.post(
    "/exports/{request_id}/withdraw",
    response=with_errors({200: ExportRequestOut}),
    summary="Withdraw my waiting request",
)
def export_request_withdraw(request: HttpRequest, request_id: int) -> dict[str, Any]:
    export = selectors.request_get_for(request.user, request_id)
    return request_out(request.user, services.export_request_withdraw(actor=request.user, request=export))


XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "The watermarked workbook, made for this download.",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.post(
    "/exports/{request_id}/download",
    response=with_errors({}),
    openapi_extra=XLSX_RESPONSE,
    summary="Download the approved export (.xlsx)",
)
def export_download(request: HttpRequest, request_id: int) -> HttpResponse:
    export = selectors.request_get_for(request.user, request_id)
    return xlsx_response(services.export_download(actor=request.user, request=export))
