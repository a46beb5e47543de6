"""Scoped reads of directives: the list, one directive (NotFound alike for missing and out of reach), its
cascade as a rolled-up tree, where the user may issue, and which assignments they act on.

A directive is seen by the issuer's subtree (the whole cascade) and by each receiving unit (its own part of
the cascade and what lies under it). Acting on an assignment is for the unit's own officers or workers; a
compound's part is carried by its community's workers (access.filters.assignment_q).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access import filters
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.reach import reach_of
from gongzhi.access.selectors import forbidden, not_found
from gongzhi.core.errors import InvalidInput
from gongzhi.directives import rules
from gongzhi.directives.models import AccessListItem, Assignment, Attachment, Directive
from gongzhi.tree.models import Node

V, C = Action.VIEW, Action.CHANGE


def directives_visible_to(user: Any) -> QuerySet[Directive]:
    qs = Directive.objects.select_related("node", "access_item").order_by("-issued_at", "-pk")
    q = filters.directive_q(reach_of(user), V)
    return qs if q is None else qs.filter(q)


def directive_get_for(user: Any, directive_id: int) -> Directive:
    directive = directives_visible_to(user).filter(pk=directive_id).first()
    if directive is None:
        raise not_found()
    return directive


def assignments_visible_to(user: Any, directive: Directive) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(directive=directive).select_related("node").order_by("path", "pk")
    q = filters.assignment_q(reach_of(user), V, 3 * Node.steplen)
    return qs if q is None else qs.filter(q)


def may_act(user: Any, assignment: Assignment) -> bool:
    q = filters.assignment_q(reach_of(user), C, 3 * Node.steplen)
    return q is None or Assignment.objects.filter(q, pk=assignment.pk).exists()


def assignment_get_for(user: Any, directive_id: int, assignment_id: int) -> Assignment:
    directive = directive_get_for(user, directive_id)
    row = assignments_visible_to(user, directive).filter(pk=assignment_id).first()
    if row is None:
        raise not_found()
    row.directive = directive
    return row


def assignment_act_for(user: Any, directive_id: int, assignment_id: int) -> Assignment:
    """An assignment the user's unit acts on (403 if they only see it)."""
    row = assignment_get_for(user, directive_id, assignment_id)
    if not may_act(user, row):
        raise forbidden()
    return row


def attachment_get_for(user: Any, directive_id: int, attachment_id: int) -> Attachment:
    """A file of a directive the user sees; a progress report's file only with its assignment in view."""
    directive = directive_get_for(user, directive_id)
    found = Attachment.objects.filter(directive=directive, pk=attachment_id).select_related("report").first()
    if found is None:
        raise not_found()
    if found.report is not None:
        seen = assignments_visible_to(user, directive).filter(pk=found.report.assignment_id).exists()
        if not seen:
            raise not_found()
    return found


def may_issue_at(user: Any, node: Node) -> bool:
    """At one's own node (a district, street or community), not at the nodes under it."""
    if node.level not in rules.ISSUING_LEVELS:
        return False
    reach = reach_of(user)
    return reach.superuser or any(
        g.is_node and g.path == node.path for g in reach.granting(Kind.DIRECTIVE, C)
    )


def issue_nodes_for(user: Any) -> list[Node]:
    """The nodes where the user may issue directives (their own district, street or community)."""
    reach = reach_of(user)
    qs = Node.objects.filter(level__in=rules.ISSUING_LEVELS).order_by("path")
    if reach.superuser:
        return list(qs[:200])
    paths = {g.path for g in reach.granting(Kind.DIRECTIVE, C) if g.is_node}
    return list(qs.filter(path__in=paths))


def issue_node_for(user: Any, node_id: int) -> Node:
    from gongzhi.access.selectors import node_get_for

    node = node_get_for(user, node_id)
    if not may_issue_at(user, node):
        raise forbidden()
    return node


def county_of(node: Node) -> Node | None:
    """The district (county-level unit) at the top of `node`'s branch."""
    return node if node.level == "district" else Node.objects.filter(path=node.path[: Node.steplen]).first()


def access_items_for(node: Node) -> QuerySet[AccessListItem]:
    """The access list in force for work issued at or under `node`."""
    return AccessListItem.objects.filter(county__path=node.path[: Node.steplen], active=True).order_by("code")


def access_item_for(node: Node, item_id: int | None) -> AccessListItem | None:
    """An item in force on the access list of `node`'s county; another county's item is not offered."""
    if item_id is None:
        return None
    item = access_items_for(node).select_related("county").filter(pk=item_id).first()
    if item is None:
        raise InvalidInput(_("Choose an item of this county's access list."), code="access_item_unknown")
    return item


def child_units(node: Node) -> QuerySet[Node]:
    return Node.objects.get_children(node).order_by("path")


# --- the cascade as a tree -----------------------------------------------------------------------------


@dataclass
class Branch:
    assignment: Assignment
    rolled: rules.Rolled
    may_act: bool
    steps: list[str]
    children: list[Branch] = field(default_factory=list)


def _unit(a: Assignment) -> rules.Unit:
    return rules.Unit(a.pk, a.parent_id, a.state, a.percent, a.due_date, a.completed_on)


def cascade(
    user: Any, directive: Directive, today: dt.date | None = None
) -> tuple[list[Branch], rules.Summary]:
    """The assignments the user sees, as a tree with completion and overdue flags, and the roll-up."""
    today = today or timezone.localdate()
    every = list(Assignment.objects.filter(directive=directive).select_related("node").order_by("path", "pk"))
    rolled = rules.roll_up([_unit(a) for a in every], today)
    visible = {a.pk for a in assignments_visible_to(user, directive)}
    q = filters.assignment_q(reach_of(user), C, 3 * Node.steplen)
    acting = (
        {a.pk for a in every}
        if q is None
        else set(Assignment.objects.filter(q, directive=directive).values_list("pk", flat=True))
    )
    open_children = {a.parent_id for a in every if a.state != rules.State.COMPLETED}
    branches = {
        a.pk: Branch(
            a,
            rolled[a.pk],
            a.pk in acting,
            [s.value for s in rules.steps_open(a.state, a.node.level, a.pk in open_children)]
            if a.pk in acting
            else [],
        )
        for a in every
        if a.pk in visible
    }
    roots: list[Branch] = []
    for b in branches.values():
        parent = branches.get(b.assignment.parent_id or 0)
        (parent.children if parent else roots).append(b)
    return roots, rules.summary([_unit(a) for a in every], today)


def directive_summaries(
    directives: list[Directive], today: dt.date | None = None
) -> dict[int, rules.Summary]:
    today = today or timezone.localdate()
    units: dict[int, list[rules.Unit]] = {d.pk: [] for d in directives}
    for a in Assignment.objects.filter(directive__in=directives):
        units[a.directive_id].append(_unit(a))
    return {pk: rules.summary(us, today) for pk, us in units.items()}
