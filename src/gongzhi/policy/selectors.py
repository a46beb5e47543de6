"""Reads of policy: the effective policy on a node = national → city pack → local overrides (catalogue §5 #39)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
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
    return _path_prefixes(node.path)


def _path_prefixes(path: str) -> list[str]:
    step = Node.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def _city_of(path: str, packs_by_path: dict[str, str]) -> str:
    """The pack of the nearest ancestor-or-self that sets one ('' when none does)."""
    step = Node.steplen
    for end in range(len(path), 0, -step):
        code = packs_by_path.get(path[:end], "")
        if code:
            return code
    return ""


def _local(row: PolicyOverride) -> LocalOverride | None:
    return local_override(row.pk, row.node_id, row.node.depth, row.key, row.value, row.reason)


def local_override(
    pk: int, node_id: int, depth: int, key: str, raw: Any, reason: str
) -> LocalOverride | None:
    """An override row's values as the layering takes them; None for a key or value no longer valid."""
    if key not in KEYS:
        return None
    try:
        value = validate_value(key, raw)
    except ValueError:  # pydantic.ValidationError is a ValueError: a stale row of an old type is skipped
        return None
    return LocalOverride(id=pk, node_id=node_id, depth=depth, key=key, value=value, reason=reason)


def policy_at(
    path: str, packs_by_path: dict[str, str], overrides_by_path: dict[str, list[LocalOverride]]
) -> EffectivePolicy:
    """The policy in force at `path` from its ancestors' packs and active overrides read by the caller (one
    query of its own instead of two: appeals.intake reads them with the home it checks)."""
    return _layered(
        _city_of(path, packs_by_path),
        [ov for p in _path_prefixes(path) for ov in overrides_by_path.get(p, [])],
    )


def effective_policies(nodes: Iterable[Node]) -> dict[int, EffectivePolicy]:
    """{node id: EffectivePolicy} for many nodes in two queries (packs on path prefixes; active overrides)."""
    nodes = list(nodes)
    prefixes = {p for n in nodes for p in _prefixes(n)}
    packs_by_path = dict(
        Node.objects.filter(path__in=prefixes).exclude(policy_pack="").values_list("path", "policy_pack")
    )
    by_path = _overrides_by_path(prefixes)
    return {n.pk: _policy_for(n, packs_by_path, by_path) for n in nodes}


def effective_policy_and_levels(node: Node) -> tuple[EffectivePolicy, set[str]]:
    """The policy on `node` and the tree levels of its ancestors-or-self, in two queries: what routing an
    appeal needs to know about its place (appeals.intake)."""
    prefixes = _prefixes(node)
    rows = list(Node.objects.filter(path__in=prefixes).values_list("path", "level", "policy_pack"))
    packs_by_path = {path: pack for path, _level, pack in rows if pack}
    policy = _policy_for(node, packs_by_path, _overrides_by_path(set(prefixes)))
    return policy, {level for _path, level, _pack in rows}


def policies_in_force() -> Callable[[str], EffectivePolicy]:
    """The policy in force at any tree path, from every pack node and every active override read at once (two
    small queries, layered as effective_policies layers them): for a caller asking about thousands of places
    (the appeals sweep), whose ancestors' paths effective_policies would send to the database each time."""
    packs = dict(Node.objects.exclude(policy_pack="").values_list("path", "policy_pack"))
    return functools.partial(policy_at, packs_by_path=packs, overrides_by_path=_overrides_by_path(None))


def _overrides_by_path(prefixes: set[str] | None) -> dict[str, list[LocalOverride]]:
    """The active overrides on the nodes at `prefixes` (None: on every node), by the node's path."""
    rows = PolicyOverride.objects.filter(withdrawn_at__isnull=True).select_related("node")
    if prefixes is not None:
        rows = rows.filter(node__path__in=prefixes)
    by_path: dict[str, list[LocalOverride]] = {}
    for row in rows:
        local = _local(row)
        if local is not None:
            by_path.setdefault(row.node.path, []).append(local)
    return by_path


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
