"""Reads for Open311: the caller (api_key), the jurisdiction (a node's division code), the services offered
there, and the cases the caller may follow. All scoping is the appeals app's own (appeals.selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.tokens import api_token_user
from gongzhi.appeals import selectors as appeals
from gongzhi.appeals.models import Appeal
from gongzhi.open311 import catalogue
from gongzhi.open311.errors import Open311Error
from gongzhi.open311.params import LIMIT, RequestFilter
from gongzhi.policy.packs import CITY_PACKS
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.models import Node

BAD_KEY = _("Invalid api_key: use one of your personal API tokens (gz_…).")
NO_KEY = _("api_key is required to submit a request.")
NO_JURISDICTION = _(
    "Unknown jurisdiction_id: give the statistical division code of a district, street or community."
)
NO_SERVICES = _("No appeal services are offered in this jurisdiction.")
NO_SERVICE = _("Unknown service_code.")


def caller(api_key: str | None, *, required: bool) -> Any | None:
    """The user of a personal API token (accounts.tokens, the API's own check); None without a key.

    A key that is given but unknown, revoked or of an inactive user is refused (403), never read as no key.
    """
    if not api_key:
        if required:
            raise Open311Error(403, NO_KEY, "api_key_required")
        return None
    user = api_token_user(api_key)
    if user is None:
        raise Open311Error(403, BAD_KEY, "api_key_invalid")
    return user


def jurisdiction(code: str | None) -> Node | None:
    """jurisdiction_id is a tree node's statistical division code (6-digit district or 12-digit code)."""
    if not code:
        return None
    node = Node.objects.filter(code=code.strip()).first() if code.strip().isdigit() else None
    if node is None:
        raise Open311Error(404, NO_JURISDICTION, "jurisdiction_unknown")
    return node


def packs_in_use() -> list[str]:
    used = set(Node.objects.exclude(policy_pack="").values_list("policy_pack", flat=True).distinct())
    return [c for c in CITY_PACKS if c in used]


def services_at(node: Node | None) -> list[catalogue.Service]:
    """The node's services (its effective policy), or every city pack in use without a node."""
    if node is None:
        return catalogue.packs_services(packs_in_use())
    policy = effective_policy(node)
    services = catalogue.city_services(policy, policy.pack) if policy.pack else []
    if not services:
        raise Open311Error(404, NO_SERVICES, "no_services")
    return services


def service_at(node: Node | None, code: str) -> catalogue.Service:
    for service in services_at(node):
        if service.code == code:
            return service
    raise Open311Error(404, NO_SERVICE, "service_unknown")


def cases_for(user: Any | None, node: Node | None) -> QuerySet[Appeal]:
    """A key's user: the cases they may see (their reach and their own). No key: the board's cases
    (appeals.selectors.board: every case but merged duplicates), shown anonymised by the mapping."""
    if user is not None:
        qs = appeals.appeals_visible_to(user)
        return qs.filter(path__startswith=node.path) if node is not None else qs
    if node is not None:
        return appeals.board(node).select_related("handling_node")
    return Appeal.objects.exclude(state="merged").select_related("place", "handling_node")


def filtered(qs: QuerySet[Appeal], f: RequestFilter) -> QuerySet[Appeal]:
    if f.ids:
        return qs.filter(pk__in=f.ids).order_by("-created_at", "-pk")[:LIMIT]
    if f.codes:
        qs = qs.filter(category__in=f.codes)
    if f.statuses and set(f.statuses) != {"open", "closed"}:
        from gongzhi.appeals.lifecycle import FINAL_STATES

        final = [str(s) for s in FINAL_STATES]
        qs = qs.filter(state__in=final) if f.statuses == ("closed",) else qs.exclude(state__in=final)
    return qs.filter(created_at__gte=f.start, created_at__lte=f.end).order_by("-created_at", "-pk")[:LIMIT]
