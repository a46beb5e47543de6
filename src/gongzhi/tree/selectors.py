"""Reads over the tree. Subtree queries are `path LIKE 'prefix%'` on indexed paths, never recursion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

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


def policy_pack_in_force(node: Node, ancestors: list[Node]) -> tuple[str, Node | None]:
    """The city pack set on the node or its nearest ancestor, and the node that sets it."""
    for candidate in [node, *reversed(ancestors)]:
        if candidate.policy_pack:
            return candidate.policy_pack, candidate
    return "", None
