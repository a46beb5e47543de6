"""What the pages and the API show of a request: its displayed status and the steps open to the viewer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ROLE_LABELS
from gongzhi.accounts.roles import Role
from gongzhi.exports import approval, selectors
from gongzhi.exports.approval import Action, Status
from gongzhi.exports.models import STATUS_LABELS, ExportRequest

SHOWN_LABELS: dict[str, Any] = {
    **{str(s): label for s, label in STATUS_LABELS.items()},
    "expired": _("expired"),
}


def role_label(role: str | None) -> str:
    if role == approval.PLATFORM_ADMIN:
        return str(_("platform administrator"))
    return str(ROLE_LABELS[Role(role)]) if role else ""


def shown_status(request: ExportRequest) -> str:
    return approval.shown_status(Status(request.status), request.expires_at, timezone.now())


def actions_for(user: Any, request: ExportRequest, roles: selectors.Roles | None = None) -> list[str]:
    return [
        str(a)
        for a in approval.allowed_actions(
            status=Status(request.status),
            party=selectors.party_of(user, request, roles),
            expires_at=request.expires_at,
            now=timezone.now(),
        )
    ]


def card(request: ExportRequest) -> dict[str, Any]:
    """The request with its display fields, for lists."""
    status = shown_status(request)
    return {
        "export": request,
        "status": status,
        "status_label": SHOWN_LABELS[status],
        "unit": request.node.name,
    }


def detail(user: Any, request: ExportRequest) -> dict[str, Any]:
    return {
        **card(request),
        "unit": selectors.unit_label(request.node),
        "requester_role_label": role_label(request.requester_role),
        "approver_role_label": role_label(approval.approver_role(request.requester_role)),
        "actions": actions_for(user, request),
        "clause": approval.CLAUSE,
        "Action": {a.name: str(a) for a in Action},
    }
