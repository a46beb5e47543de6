"""Reads over the tree. Subtree queries are `path LIKE 'prefix%'` on indexed paths, never recursion."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

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


def children_with_counts(node: Node | None) -> list[tuple[Node, SubtreeCounts]]:
    """Direct children (roots when `node` is None), each with its subtree counts."""
    children = list(Node.objects.get_root_nodes() if node is None else Node.objects.get_children(node))
    return [(child, subtree_counts(child)) for child in children]


def ancestors_of(node: Node) -> list[Node]:
    """Root first, excluding `node`: one query on the path prefixes."""
    step = Node.steplen
    prefixes = [node.path[:i] for i in range(step, len(node.path), step)]
    return list(Node.objects.filter(path__in=prefixes).order_by("depth"))


def dwellings_without_grid(community: Node) -> QuerySet[Dwelling]:
    """Dwellings of a community in no grid: every dwelling must belong to exactly one (foundation issue §2)."""
    return Dwelling.objects.filter(community=community, grid__isnull=True)


def grids_of(community: Node) -> QuerySet[Grid]:
    return Grid.objects.filter(community=community).annotate(dwelling_count=Count("dwellings")).order_by("kind", "name")


def level_of(node: Node) -> Level:
    return Level(node.level)
