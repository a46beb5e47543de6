"""Reads over people: the owners' roll at a date, households."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet

from gongzhi.people.models import Ownership, Person, Residency
from gongzhi.tree.models import Dwelling, Node


def ownerships_on(day: dt.date) -> QuerySet[Ownership]:
    """Ownerships in force on `day` (start inclusive, end exclusive)."""
    return Ownership.objects.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


def owners_of(dwelling: Dwelling, day: dt.date) -> list[int]:
    return sorted(ownerships_on(day).filter(dwelling=dwelling).values_list("person_id", flat=True))


def roll_on(node: Node, day: dt.date) -> dict[int, list[int]]:
    """{dwelling id: [owner person ids]} for every dwelling under `node` on `day` (a vote's frozen roll)."""
    roll: dict[int, list[int]] = {
        pk: [] for pk in Dwelling.objects.filter(path__startswith=node.path).values_list("pk", flat=True)
    }
    rows = (
        ownerships_on(day)
        .filter(dwelling__path__startswith=node.path)
        .values_list("dwelling_id", "person_id")
    )
    for dwelling_id, person_id in rows:
        roll[dwelling_id].append(person_id)
    return {k: sorted(v) for k, v in roll.items()}


def household_of(dwelling: Dwelling) -> QuerySet[Residency]:
    return (
        Residency.objects.filter(dwelling=dwelling, end__isnull=True)
        .select_related("person")
        .order_by("-is_representative", "relation", "person__name")
    )


def ownerships_of(dwelling: Dwelling) -> QuerySet[Ownership]:
    """Every ownership of a dwelling, current first, then by start date (the history)."""
    return (
        Ownership.objects.filter(dwelling=dwelling)
        .select_related("person")
        .order_by(F("end").desc(nulls_first=True), "-start", "person__name")
    )


def person_ownerships(person: Person) -> QuerySet[Ownership]:
    return (
        Ownership.objects.filter(person=person)
        .select_related("dwelling", "dwelling__stairwell")
        .order_by(F("end").desc(nulls_first=True), "-start")
    )


def person_residencies(person: Person) -> QuerySet[Residency]:
    return (
        Residency.objects.filter(person=person)
        .select_related("dwelling", "dwelling__stairwell")
        .order_by(F("end").desc(nulls_first=True), "-start")
    )


# Entries that record someone looking at a person's data rather than changing it.
VIEW_ACTIONS = ("people.viewed", "people.revealed")


def my_data(user: Any) -> dict[str, Any]:
    """What the platform holds about the user's own person record, and its change history (PIPL access right).

    Empty when the log-in is not linked to a person (staff accounts).
    """
    from gongzhi.accounts.models import Account, RoleAssignment
    from gongzhi.audit.models import AuditEntry
    from gongzhi.bodies.models import BodyMembership

    person = (
        Person.objects.filter(accounts__user=user).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if person is None:
        return {"person": None, "account": Account.objects.filter(user=user).first()}
    ownerships = list(person_ownerships(person))
    residencies = list(person_residencies(person))
    about = Q(object_type="people.person", object_id=str(person.pk))
    about |= Q(object_type="people.ownership", object_id__in=[str(o.pk) for o in ownerships])
    about |= Q(object_type="people.residency", object_id__in=[str(r.pk) for r in residencies])
    return {
        "person": person,
        "tags": person.tags.order_by("tag"),
        "ownerships": ownerships,
        "residencies": residencies,
        "memberships": BodyMembership.objects.filter(person=person)
        .select_related("body")
        .order_by("-term_start"),
        "roles": RoleAssignment.objects.filter(user=user).select_related("node", "grid", "dwelling"),
        "history": AuditEntry.objects.filter(about).select_related("actor").order_by("-seq")[:200],
        "viewers": AuditEntry.objects.filter(
            object_type="people.person", object_id=str(person.pk), action__in=VIEW_ACTIONS
        )
        .select_related("actor")
        .order_by("-seq")[:200],
    }
