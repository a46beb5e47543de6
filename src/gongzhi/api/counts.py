"""Subtree counts for a page of nodes in two queries (not two per node).

A tree read, so it belongs with tree.selectors.subtree_counts; it lives here until that module's owner takes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from gongzhi.people.models import Residency
from gongzhi.tree.models import Dwelling, Node
from gongzhi.tree.selectors import SubtreeCounts


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
