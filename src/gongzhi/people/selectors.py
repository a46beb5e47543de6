"""Reads over people: the owners' roll at a date, households."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from gongzhi.people.models import Ownership, Residency
from gongzhi.tree.models import Dwelling, Node


def ownerships_on(day: dt.date) -> QuerySet[Ownership]:
    """Ownerships in force on `day` (start inclusive, end exclusive)."""
    return Ownership.objects.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


def owners_of(dwelling: Dwelling, day: dt.date) -> list[int]:
    return sorted(ownerships_on(day).filter(dwelling=dwelling).values_list("person_id", flat=True))


def roll_on(node: Node, day: dt.date) -> dict[int, list[int]]:
    """{dwelling id: [owner person ids]} for every dwelling under `node` on `day` (a vote's frozen roll)."""
    roll: dict[int, list[int]] = {pk: [] for pk in Dwelling.objects.filter(path__startswith=node.path).values_list("pk", flat=True)}
    rows = ownerships_on(day).filter(dwelling__path__startswith=node.path).values_list("dwelling_id", "person_id")
    for dwelling_id, person_id in rows:
        roll[dwelling_id].append(person_id)
    return {k: sorted(v) for k, v in roll.items()}


def household_of(dwelling: Dwelling) -> QuerySet[Residency]:
    return Residency.objects.filter(dwelling=dwelling, end__isnull=True).select_related("person").order_by(
        "-is_representative", "relation", "person__name"
    )
