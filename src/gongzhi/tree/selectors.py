"""Reads over the tree. Subtree queries are `path LIKE 'prefix%'` on indexed paths, never recursion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.selectors import active_roles
from gongzhi.core.errors import NotFound
from gongzhi.people.models import Residency
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Dwelling, Grid, Node


@dataclass(frozen=True)
class SubtreeCounts:
    dwellings: int
    residents: int


def dwellings_under(node: Node) -> QuerySet[Dwelling]:
    return Dwelling.objects.filter(path__startswith=node.path)


def residents_under(node: Node) -> QuerySet[Residency]:
    """Open household memberships (people living there now) of dwellings under `node`."""
    return Residency.objects.filter(path__startswith=node.path, end__isnull=True)


def subtree_counts(node: Node) -> SubtreeCounts:
    return SubtreeCounts(dwellings=dwellings_under(node).count(), residents=residents_under(node).count())


def _per_prefix(qs: QuerySet[Dwelling] | QuerySet[Residency], paths: list[str]) -> dict[str, int]:
    """{path: rows whose path starts with it}; paths of one length share one GROUP BY on the prefix."""
    out: dict[str, int] = defaultdict(int)
    by_length: dict[int, list[str]] = defaultdict(list)
    for p in paths:
        by_length[len(p)].append(p)
    for length, group in by_length.items():
        where = Q(pk__in=[])
        for p in group:
            where |= Q(path__startswith=p)
        rows = (
            qs.filter(where)
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(n=Count("pk"))
        )
        for row in rows.order_by():
            out[row["prefix"]] += row["n"]
    return out


def subtree_counts_many(nodes: Iterable[Node]) -> dict[int, SubtreeCounts]:
    """Subtree counts for many nodes in two queries (not two per node)."""
    nodes = list(nodes)
    paths = [n.path for n in nodes]
    if not paths:
        return {}
    dwellings = _per_prefix(Dwelling.objects.all(), paths)
    residents = _per_prefix(Residency.objects.filter(end__isnull=True), paths)
    return {
        n.pk: SubtreeCounts(dwellings=dwellings.get(n.path, 0), residents=residents.get(n.path, 0))
        for n in nodes
    }


def children_with_counts(node: Node | None) -> list[tuple[Node, SubtreeCounts]]:
    """Direct children (roots when `node` is None), each with its subtree counts."""
    children = list(Node.objects.get_root_nodes() if node is None else Node.objects.get_children(node))
    counts = subtree_counts_many(children)
    return [(child, counts[child.pk]) for child in children]


def ancestors_of(node: Node) -> list[Node]:
    """Root first, excluding `node`: one query on the path prefixes."""
    step = Node.steplen
    prefixes = [node.path[:i] for i in range(step, len(node.path), step)]
    return list(Node.objects.filter(path__in=prefixes).order_by("depth"))


def dwellings_without_grid(community: Node) -> QuerySet[Dwelling]:
    """Dwellings of a community in no grid: every dwelling must belong to exactly one (foundation issue §2)."""
    return Dwelling.objects.filter(community=community, grid__isnull=True)


def grids_of(community: Node) -> QuerySet[Grid]:
    return (
        Grid.objects.filter(community=community)
        .annotate(dwelling_count=Count("dwellings"))
        .order_by("kind", "name")
    )


def level_of(node: Node) -> Level:
    return Level(node.level)


# --- Access for the server-rendered pages (web issue). The next issue replaces this with role-based rules;
# until then every scoped read goes through `scopes_of` and the `*_access` functions below.


class Access(StrEnum):
    FULL = "full"
    NAME_ONLY = "name_only"  # an ancestor of the user's scope: shown by name, for navigation only


@dataclass(frozen=True)
class Scope:
    """One active role assignment's reach: everything under `path` (or one dwelling when `dwelling_id`)."""

    path: str
    dwelling_id: int | None = None


def scopes_of(user: AbstractBaseUser | AnonymousUser) -> list[Scope] | None:
    """The user's scopes today; None means unrestricted (superuser), [] means nothing."""
    if not getattr(user, "is_authenticated", False):
        return []
    if getattr(user, "is_superuser", False):
        return None
    return [Scope(path=r.scope_path, dwelling_id=r.dwelling_id) for r in active_roles(user)]


def path_access(scopes: list[Scope] | None, path: str) -> Access | None:
    """Access to the node at `path`: full inside a node scope, name-only on the way down to any scope."""
    if scopes is None:
        return Access.FULL
    if any(s.dwelling_id is None and path.startswith(s.path) for s in scopes):
        return Access.FULL
    if any(s.path.startswith(path) for s in scopes):
        return Access.NAME_ONLY
    return None


def dwelling_access(scopes: list[Scope] | None, dwelling: Dwelling) -> Access | None:
    """Dwellings are never shown by name only: full access or none."""
    if scopes is None:
        return Access.FULL
    for s in scopes:
        if (s.dwelling_id is None and dwelling.path.startswith(s.path)) or s.dwelling_id == dwelling.pk:
            return Access.FULL
    return None


def node_get_for(user: AbstractBaseUser | AnonymousUser, node_id: int) -> tuple[Node, Access]:
    """The node and how much of it `user` may see; NotFound alike for missing and out-of-scope."""
    node = Node.objects.filter(pk=node_id).first()
    access = path_access(scopes_of(user), node.path) if node else None
    if node is None or access is None:
        raise NotFound(_("No such node."), code="node_not_found")
    return node, access


def dwelling_get_for(user: AbstractBaseUser | AnonymousUser, dwelling_id: int) -> Dwelling:
    dwelling = (
        Dwelling.objects.select_related("stairwell", "building", "community", "grid", "micro_grid")
        .filter(pk=dwelling_id)
        .first()
    )
    if dwelling is None or dwelling_access(scopes_of(user), dwelling) is None:
        raise NotFound(_("No such dwelling."), code="dwelling_not_found")
    return dwelling


def visible_children(
    user: AbstractBaseUser | AnonymousUser, node: Node | None
) -> list[tuple[Node, Access, SubtreeCounts | None]]:
    """Children (roots when `node` is None) the user may see; counts only where access is full."""
    scopes = scopes_of(user)
    children = Node.objects.get_root_nodes() if node is None else Node.objects.get_children(node)
    visible = [(child, access) for child in children if (access := path_access(scopes, child.path))]
    counts = subtree_counts_many(child for child, access in visible if access == Access.FULL)
    return [(child, access, counts.get(child.pk)) for child, access in visible]


def visible_dwellings(
    user: AbstractBaseUser | AnonymousUser, dwellings: QuerySet[Dwelling]
) -> list[Dwelling]:
    scopes = scopes_of(user)
    return [d for d in dwellings if dwelling_access(scopes, d) is not None]


def policy_pack_in_force(node: Node, ancestors: list[Node]) -> tuple[str, Node | None]:
    """The city pack set on the node or its nearest ancestor, and the node that sets it."""
    for candidate in [node, *reversed(ancestors)]:
        if candidate.policy_pack:
            return candidate.policy_pack, candidate
    return "", None
