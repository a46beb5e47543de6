"""Scoped reads for export requests and the permission checks the services use (CZ-VI.3).

Kept here, as plain functions over active role assignments and tree paths, so a unified permission module can
take them over later. A request is visible to its requester, to whoever holds the approving role over its node
(exports.approval.APPROVER_OF) and to whoever decided it; anyone else gets the same NotFound as for a missing id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.access.reach import NodeAccess, reach_of
from gongzhi.access.selectors import node_get_for, not_found
from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.selectors import active_roles
from gongzhi.core.errors import Forbidden, InvalidInput, NotFound
from gongzhi.exports import approval
from gongzhi.exports.models import ExportRequest
from gongzhi.tree.models import Node

NO_SUCH_REQUEST = _("No such export request.")


def _is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


Roles = Sequence[RoleAssignment]


def _covering_roles(user: Any, node: Node, roles: Roles | None = None) -> set[str]:
    """Roles the user holds today through a node scope that contains `node` (`roles`: their active roles, when
    the caller already has them, so a list of requests costs one query)."""
    held: Iterable[RoleAssignment] = active_roles(user) if roles is None else roles
    return {r.role for r in held if r.node_id is not None and node.path.startswith(r.scope_path)}


def node_for_request(user: Any, node_id: int) -> Node:
    """A node the user sees in full (gongzhi.access); NotFound alike for missing and out-of-scope."""
    node: Node = node_get_for(user, node_id)
    return node


def requesting_role(user: Any, node: Node) -> str:
    """The role `user` requests an export of `node` in: their most senior exporting role covering it.

    NotFound when no role of theirs covers the node (out of scope, as if it did not exist); Forbidden when
    their roles there may not export; InvalidInput when the node's level cannot be exported by that role.
    """
    # In scope as the tree pages see it (gongzhi.access): a node the user may not see in full does not exist.
    if reach_of(user).node_access(node.path) != NodeAccess.FULL:
        raise not_found()
    exporting = _covering_roles(user, node) & approval.REQUESTING_ROLES
    if not exporting:
        raise Forbidden(
            _("Your role may not request a bulk export of personal data."), code="role_may_not_export"
        )
    eligible = {r for r in exporting if approval.may_request(r, node.level)}
    role = approval.senior_most(eligible)
    if role is None:
        raise InvalidInput(
            _("This unit cannot be exported on its own: choose a building or a larger unit."),
            code="level_not_exportable",
        )
    return role


def may_request_somewhere(user: Any) -> bool:
    """Whether the user holds any role that may request an export (to show the menu entry and links)."""
    return any(r.role in approval.REQUESTING_ROLES and r.node_id for r in active_roles(user))


def may_take_part(user: Any) -> bool:
    """Whether the exports pages concern the user at all: they may request, or approve (menu entry)."""
    if _is_superuser(user):
        return True
    ladder = approval.REQUESTING_ROLES | set(approval.APPROVER_OF.values())
    return any(r.role in ladder and r.node_id for r in active_roles(user))


def holds_role_over(user: Any, role: str, node: Node, roles: Roles | None = None) -> bool:
    """Whether `user` holds `role` today over `node` (the platform administrator's role: is a superuser)."""
    if role == approval.PLATFORM_ADMIN:
        return _is_superuser(user)
    return role in _covering_roles(user, node, roles)


def party_of(user: Any, request: ExportRequest, roles: Roles | None = None) -> approval.Party:
    up = approval.approver_role(request.requester_role)
    return approval.Party(
        is_requester=request.requester_id == user.pk,
        is_approver=up is not None and holds_role_over(user, up, request.node, roles),
    )


def _with_related(qs: QuerySet[ExportRequest]) -> QuerySet[ExportRequest]:
    return qs.select_related("node", "requester", "approver")


def request_get_for(user: Any, request_id: int) -> ExportRequest:
    """The request if `user` is its requester, may approve it, or decided it; else NotFound (also if missing)."""
    request = _with_related(ExportRequest.objects.filter(pk=request_id)).first()
    if request is None or not getattr(user, "is_authenticated", False):
        raise NotFound(NO_SUCH_REQUEST, code="not_found")
    party = party_of(user, request)
    if not (party.is_requester or party.is_approver or request.approver_id == user.pk):
        raise NotFound(NO_SUCH_REQUEST, code="not_found")
    return request


def requests_of(user: Any) -> QuerySet[ExportRequest]:
    """The user's own requests, newest first."""
    return _with_related(ExportRequest.objects.filter(requester=user.pk))


def _approvable_q(user: Any) -> Q:
    """Requests whose approving role the user holds over their node."""
    q = Q(pk__in=[])
    if _is_superuser(user):
        q |= Q(
            requester_role__in=[d for d, u in approval.APPROVER_OF.items() if u == approval.PLATFORM_ADMIN]
        )
    for r in active_roles(user):
        if r.node_id is None:
            continue
        for down, up in approval.APPROVER_OF.items():
            if up == r.role:
                q |= Q(requester_role=down, node__path__startswith=r.scope_path)
    return q


def requests_awaiting(user: Any) -> QuerySet[ExportRequest]:
    """Requests waiting for this user's decision (never their own), oldest first."""
    qs = ExportRequest.objects.filter(_approvable_q(user), status=approval.AWAITING).exclude(
        requester=user.pk
    )
    return _with_related(qs).order_by("requested_at", "id")


def requests_decided_by(user: Any) -> QuerySet[ExportRequest]:
    return _with_related(ExportRequest.objects.filter(approver=user.pk)).order_by("-decided_at", "-id")


def unit_label(node: Node) -> str:
    """The node with its ancestors: "吴兴区 / 月河街道 / 月河社区"."""
    step = Node.steplen
    prefixes = [node.path[:end] for end in range(step, len(node.path) + 1, step)]
    names = dict(Node.objects.filter(path__in=prefixes).values_list("path", "name"))
    return " / ".join(names[p] for p in prefixes if p in names)
