"""Batched subtree counts agree with tree.selectors.subtree_counts, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.people import services as people
from gongzhi.tree import services as tree
from gongzhi.tree.models import Node
from gongzhi.tree.selectors import subtree_counts, subtree_counts_many

pytestmark = pytest.mark.django_db


def test_batched_counts_match_one_by_one(actor, small_tree, other_community, a_person):
    people.residency_move_in(
        actor=actor,
        dwelling=other_community["dwelling"],
        person=a_person,
        relation="owner",
        start=dt.date(2024, 1, 1),
    )
    nodes = list(Node.objects.all())  # several depths, so several path lengths
    batched = subtree_counts_many(nodes)
    assert batched == {n.pk: subtree_counts(n) for n in nodes}


def test_children_list_uses_a_fixed_number_of_queries(api, actor, small_tree, django_assert_max_num_queries):
    for i in range(10):
        building = tree.node_create(
            actor=actor, parent=small_tree["compound"], name=f"{i + 2}幢", level="building"
        )
        tree.node_create(actor=actor, parent=building, name="1单元", level="stairwell")
    with django_assert_max_num_queries(12):
        body = api.get("/nodes", parent=small_tree["compound"].pk).json()
    assert body["count"] == 11
    assert [n["dwellings"] for n in body["items"]][:2] == [3, 0]
