"""The only write path for bulk exports (CZ-VI.3): request, approve, reject, withdraw, download, and the
operator's command-line export. Each step checks the lifecycle in exports.approval, locks the request, and
writes its audit entry in the same transaction; a refused step changes nothing and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ROLE_LABELS
from gongzhi.accounts.roles import Role
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, Forbidden, GongzhiError, InvalidInput, NotFound
from gongzhi.exports import approval, kinds, selectors
from gongzhi.exports.approval import Action, Refusal, Status
from gongzhi.exports.models import ExportKind, ExportRequest
from gongzhi.exports.watermark import OPERATOR, Facts, watermark
from gongzhi.people.privacy import PersonView, person_view_for
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.models import Node

# How long an approval lasts: the national pack sets it (CZ-VI.3, a product default), so every node has it.
VALID_DAYS_KEY = "exports.approval_valid_days"

# Each refusal as the error the user sees (made anew each time: an exception instance carries its traceback).
REFUSALS: dict[Refusal, tuple[type[GongzhiError], Any, str]] = {
    Refusal.NOT_PARTY: (NotFound, selectors.NO_SUCH_REQUEST, "not_found"),
    Refusal.WRONG_ACTOR: (Forbidden, _("This step is not yours to take on this request."), "not_your_step"),
    Refusal.OWN_REQUEST: (Forbidden, _("Nobody may approve or reject their own request."), "own_request"),
    Refusal.WRONG_STATE: (
        Conflict,
        _("The request's status does not allow this step any more."),
        "wrong_state",
    ),
    Refusal.EXPIRED: (
        Conflict,
        _("The approval has expired; make a new request if the data is still needed."),
        "approval_expired",
    ),
}


def refusal_error(refused: Refusal) -> GongzhiError:
    error, message, code = REFUSALS[refused]
    return error(message, code=code)


def _clean_purpose(purpose: str) -> str:
    purpose = " ".join((purpose or "").split())
    if len(purpose) < approval.PURPOSE_MIN_CHARS:
        raise InvalidInput(
            _("State the purpose of the export in at least %(n)d characters.")
            % {"n": approval.PURPOSE_MIN_CHARS},
            code="purpose_required",
        )
    if len(purpose) > approval.PURPOSE_MAX_CHARS:
        raise InvalidInput(
            _("The purpose is too long (at most %(n)d characters).") % {"n": approval.PURPOSE_MAX_CHARS},
            code="purpose_too_long",
        )
    return purpose


def _clean_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise InvalidInput(_("Say why the request is rejected."), code="note_required")
    if len(note) > approval.NOTE_MAX_CHARS:
        raise InvalidInput(
            _("The note is too long (at most %(n)d characters).") % {"n": approval.NOTE_MAX_CHARS},
            code="note_too_long",
        )
    return note


@transaction.atomic
def export_request_create(
    *, actor: Any, node: Node, kind: str = ExportKind.ROSTER, purpose: str, clear_identifiers: bool = False
) -> ExportRequest:
    """Ask for a bulk export of `node`'s subtree for a stated purpose.

    Preconditions: none beyond the arguments; the actor's role over the node is checked here (NotFound when
    no role of theirs covers it, Forbidden when their role may not export). The request waits for the role one
    level up (exports.approval.APPROVER_OF, CZ-VI.3).
    """
    role = selectors.requesting_role(actor, node)
    if kind not in kinds.WRITERS:
        raise InvalidInput(_("Unknown kind of export."), code="kind_invalid")
    request = ExportRequest.objects.create(
        requester=actor,
        requester_role=role,
        node=node,
        kind=kind,
        purpose=_clean_purpose(purpose),
        clear_identifiers=clear_identifiers,
    )
    audit_record(
        actor=actor,
        action="exports.requested",
        obj=request,
        node_path=node.path,
        after={
            "kind": kind,
            "node": node.pk,
            "role": role,
            "purpose": request.purpose,
            "clear_identifiers": clear_identifiers,
            "approver_role": approval.approver_role(role),
        },
    )
    return request


def _locked(request: ExportRequest) -> ExportRequest:
    locked: ExportRequest = (
        ExportRequest.objects.select_for_update(of=("self",))
        .select_related("node", "requester", "approver")
        .get(pk=request.pk)
    )
    return locked


def _check(action: Action, actor: Any, request: ExportRequest, now: dt.datetime) -> None:
    refused = approval.refusal(
        action,
        status=Status(request.status),
        party=selectors.party_of(actor, request),
        expires_at=request.expires_at,
        now=now,
    )
    if refused is not None:
        raise refusal_error(refused)


def valid_days(node: Node) -> int:
    days = effective_policy(node).value(VALID_DAYS_KEY)
    return int(days)


def _decide(request: ExportRequest, *, actor: Any, action: Action, note: str, audit: str) -> ExportRequest:
    now = timezone.now()
    request = _locked(request)
    _check(action, actor, request, now)
    before = {"status": request.status}
    request.status = approval.TRANSITIONS[action].target
    request.decided_at = now
    request.decision_note = note
    fields = ["status", "decided_at", "decision_note"]
    after: dict[str, Any] = {"status": request.status, "note": note}
    if action != Action.WITHDRAW:
        request.approver = actor
        fields.append("approver")
    if action == Action.APPROVE:
        days = valid_days(request.node)
        request.expires_at = approval.expiry(now, days)
        fields.append("expires_at")
        after.update(expires_at=request.expires_at, valid_days=days)
    request.save(update_fields=fields)
    audit_record(
        actor=actor, action=audit, obj=request, node_path=request.node.path, before=before, after=after
    )
    return request


@transaction.atomic
def export_request_approve(*, actor: Any, request: ExportRequest, note: str = "") -> ExportRequest:
    """Approve a waiting request. Precondition: none; the actor must hold the role one level up from the
    request's role over its node (NotFound if they may not even see it) and must not be the requester."""
    return _decide(
        request,
        actor=actor,
        action=Action.APPROVE,
        note=_clean_note(note, required=False),
        audit="exports.approved",
    )


@transaction.atomic
def export_request_reject(*, actor: Any, request: ExportRequest, note: str) -> ExportRequest:
    """Reject a waiting request, saying why (the note is required). Same actor rule as approval."""
    return _decide(
        request,
        actor=actor,
        action=Action.REJECT,
        note=_clean_note(note, required=True),
        audit="exports.rejected",
    )


@transaction.atomic
def export_request_withdraw(*, actor: Any, request: ExportRequest) -> ExportRequest:
    """The requester takes back a request that is still waiting."""
    return _decide(request, actor=actor, action=Action.WITHDRAW, note="", audit="exports.withdrawn")


# --- the file ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    sha256: str
    counts: dict[str, int]


def _person_label(user: Any, role: str) -> str:
    name = user.get_full_name() or user.get_username()
    who = f"{name}（{user.get_username()}）" if name != user.get_username() else name
    if role == approval.PLATFORM_ADMIN:
        return f"{who} · 平台管理员"
    with translation.override("zh-hans"):  # the watermark is Chinese whatever the user's language
        return f"{who} · {ROLE_LABELS[Role(role)]}"


def _facts(request: ExportRequest, now: dt.datetime) -> Facts:
    up = approval.approver_role(request.requester_role) or approval.PLATFORM_ADMIN
    return Facts(
        number=request.number,
        exported_by=_person_label(request.requester, request.requester_role),
        exported_at=now,
        purpose=request.purpose,
        approved_by=_person_label(request.approver, up),
        unit=selectors.unit_label(request.node),
        clear_identifiers=request.clear_identifiers,
    )


def _write(kind: str, node: Node, facts: Facts, view: kinds.RowView) -> ExportFile:
    buffer = io.BytesIO()
    counts = kinds.WRITERS[kind](buffer, node, watermark(facts), view)
    content = buffer.getvalue()
    stamp = facts.exported_at.astimezone(timezone.get_default_timezone()).strftime("%Y%m%d-%H%M")
    name = f"{kinds.FILE_STEMS[kind]}-{node.code or node.pk}-{facts.number}-{stamp}.xlsx"
    return ExportFile(content, name, hashlib.sha256(content).hexdigest(), counts)


def _require_download_rights(actor: Any, request: ExportRequest) -> None:
    from gongzhi.accounts.two_factor import is_verified

    if not selectors.holds_role_over(actor, request.requester_role, request.node):
        raise Forbidden(
            _("You no longer hold the role this export was approved for."), code="role_no_longer_held"
        )
    if request.clear_identifiers and not is_verified(actor):
        raise Forbidden(
            _(
                "Confirm your second factor (authenticator code) on the security page before downloading full ID numbers and phones."
            ),
            code="second_factor_required",
        )


@transaction.atomic
def export_download(*, actor: Any, request: ExportRequest) -> ExportFile:
    """Make the approved file, watermarked for this download; count and audit the download.

    Preconditions: none; only the requester, while the approval lasts and while they still hold the role it was
    made in (plus a confirmed second factor when the file carries full ID numbers and phones). The file is made
    in memory for this response and never stored; the audit entry keeps its SHA-256, so a copy found later can
    be traced to this download.
    """
    now = timezone.now()
    request = _locked(request)
    _check(Action.DOWNLOAD, actor, request, now)
    _require_download_rights(actor, request)
    view = kinds.RowView(request.clear_identifiers, person_view_for(actor))
    made = _write(request.kind, request.node, _facts(request, now), view)
    before = {"status": request.status, "downloads": request.download_count}
    request.status = Status.DOWNLOADED
    request.download_count += 1
    request.last_downloaded_at = now
    request.save(update_fields=["status", "download_count", "last_downloaded_at"])
    audit_record(
        actor=actor,
        action="exports.downloaded",
        obj=request,
        node_path=request.node.path,
        before=before,
        after={
            "status": request.status,
            "downloads": request.download_count,
            "sha256": made.sha256,
            **made.counts,
        },
    )
    return made


FULL_VIEW = PersonView(sensitive_tags=True, party_membership=True, hidden=frozenset())


@transaction.atomic
def export_by_operator(
    *, node: Node, purpose: str, clear_identifiers: bool = False, actor: Any = None
) -> ExportFile:
    """The operator's export on the server (`gongzhi export-roster`): no approval step, since whoever runs it
    already holds the database, but a stated purpose, the same watermark ("operator command line") and an
    audit entry. `actor` is the user named with --as-user, if any."""
    purpose = _clean_purpose(purpose)
    now = timezone.now()
    facts = Facts(
        number=OPERATOR,
        exported_by=actor.get_username() if actor is not None else OPERATOR,
        exported_at=now,
        purpose=purpose,
        approved_by=OPERATOR,
        unit=selectors.unit_label(node),
        clear_identifiers=clear_identifiers,
    )
    made = _write(ExportKind.ROSTER, node, facts, kinds.RowView(clear_identifiers, FULL_VIEW))
    audit_record(
        actor=actor,
        action="exports.operator_exported",
        obj=node,
        node_path=node.path,
        after={
            "kind": ExportKind.ROSTER,
            "purpose": purpose,
            "clear_identifiers": clear_identifiers,
            "sha256": made.sha256,
            **made.counts,
        },
    )
    return made
