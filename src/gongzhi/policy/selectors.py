"""Reads of policy: the effective policy on a node = national → city pack → local overrides (catalogue §5 #39)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.policy.effective import EffectivePolicy, LocalOverride, PolicyValue, layered
from gongzhi.policy.models import PolicyOverride
from gongzhi.policy.packs import get_packs, pack_layers
from gongzhi.policy.schema import KEYS, validate_value
from gongzhi.tree.models import Node

SOURCE_LABELS = {
    "national": _("national law and product defaults"),
    "huzhou": _("Huzhou"),
    "cangzhou": _("Cangzhou"),
    "ningbo": _("Ningbo"),
    "binzhou": _("Binzhou"),
    "override": _("local override"),
}
FORCE_LABELS = {
    "shall": _("shall (mandatory)"),
    "should": _("should (recommended)"),
    "may": _("may (optional)"),
    "descriptive": _("descriptive (default practice)"),
    "default": _("product default"),
}


def source_label(value: PolicyValue) -> str:
    return str(SOURCE_LABELS.get(value.source, value.source))


def force_label(value: PolicyValue) -> str:
    return str(FORCE_LABELS.get(value.force, value.force))


def _prefixes(node: Node) -> list[str]:
    """The paths of the node's ancestors and the node itself."""
    step = Node.steplen
    return [node.path[:i] for i in range(step, len(node.path) + 1, step)]


def _city_of(path: str, packs_by_path: dict[str, str]) -> str:
    """The pack of the nearest ancestor-or-self that sets one ('' when none does)."""
    step = Node.steplen
    for end in range(len(path), 0, -step):
        code = packs_by_path.get(path[:end], "")
        if code:
            return code
    return ""


def _local(row: PolicyOverride) -> LocalOverride | None:
    if row.key not in KEYS:
        return None
    try:
        value = validate_value(row.key, row.value)
    except ValueError:  # pydantic.ValidationError is a ValueError: a stale row of an old type is skipped
        return None
    return LocalOverride(
        id=row.pk, node_id=row.node_id, depth=row.node.depth, key=row.key, value=value, reason=row.reason
    )


def effective_policies(nodes: Iterable[Node]) -> dict[int, EffectivePolicy]:
    """{node id: EffectivePolicy} for many nodes in two queries (packs on path prefixes; active overrides)."""
    nodes = list(nodes)
    prefixes = {p for n in nodes for p in _prefixes(n)}
    packs_by_path = dict(
        Node.objects.filter(path__in=prefixes).exclude(policy_pack="").values_list("path", "policy_pack")
    )
    rows = PolicyOverride.objects.filter(node__path__in=prefixes, withdrawn_at__isnull=True).select_related(
        "node"
    )
    by_path: dict[str, list[LocalOverride]] = {}
    for row in rows:
        local = _local(row)
        if local is not None:
            by_path.setdefault(row.node.path, []).append(local)
    return {n.pk: _policy_for(n, packs_by_path, by_path) for n in nodes}


# Layering the packs costs about a millisecond, and the result depends only on the packs, the city and the
# override rows in force, so policies are shared per (city, overrides) within the process: the key holds each
# override's content, not just its id (SQLite may reuse the id of a rolled-back row), and the cache is dropped
# when the packs are reloaded (get_packs.cache_clear) or when it is full.
_LAYERED: dict[tuple[Any, ...], EffectivePolicy] = {}
_LAYERED_MAX = 4096
_layered_packs: list[Any] = [None]


def _layered(city: str, overrides: list[LocalOverride]) -> EffectivePolicy:
    packs = get_packs()
    if _layered_packs[0] is not packs or len(_LAYERED) >= _LAYERED_MAX:
        _LAYERED.clear()
        _layered_packs[0] = packs
    key = (city, tuple((o.id, o.node_id, o.depth, o.key, repr(o.value), o.reason) for o in overrides))
    policy = _LAYERED.get(key)
    if policy is None:
        policy = _LAYERED[key] = layered(pack_layers(city), overrides, pack=city)
    return policy


def _policy_for(
    node: Node, packs_by_path: dict[str, str], by_path: dict[str, list[LocalOverride]]
) -> EffectivePolicy:
    city = _city_of(node.path, packs_by_path)
    return _layered(city, [ov for p in _prefixes(node) for ov in by_path.get(p, [])])


def effective_policy(node: Node) -> EffectivePolicy:
    """The policy in force on `node`: `.get(key)` → value, clause, force, source; `.entries()` for display."""
    return effective_policies([node])[node.pk]


def policy_overrides_on(node: Node, *, include_withdrawn: bool = False) -> QuerySet[PolicyOverride]:
    """Overrides set on this node itself (newest first), for the node's page and its history."""
    qs = PolicyOverride.objects.filter(node=node).select_related("created_by").order_by("-created_at", "-id")
    return qs if include_withdrawn else qs.filter(withdrawn_at__isnull=True)
