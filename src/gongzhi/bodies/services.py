"""Write path for bodies and their memberships. Compliance never blocks entry (bodies.compliance)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record, snapshot
from gongzhi.bodies.kinds import ATTACH_LEVELS, BodyKind, ElectedHow, Position, RepresentativeCategory
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.core.errors import InvalidInput
from gongzhi.people.models import Person
from gongzhi.tree.models import Grid, Node

BODY_FIELDS = [
    "kind",
    "node",
    "grid",
    "name",
    "term_start",
    "term_end",
    "contract_start",
    "contract_end",
    "rules_size",
    "dissolved_on",
]
MEMBER_FIELDS = [
    "body",
    "person",
    "position",
    "elected_how",
    "category",
    "term_start",
    "term_end",
    "ended_on",
]


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise InvalidInput(_("A period cannot end before it starts."), code="end_before_start")


@transaction.atomic
def body_create(
    *,
    actor: Any,
    kind: str,
    node: Node,
    name: str,
    grid: Grid | None = None,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    contract_start: dt.date | None = None,
    contract_end: dt.date | None = None,
    rules_size: int | None = None,
) -> Body:
    """Register a body on a node whose level fits its kind (bodies.kinds.ATTACH_LEVELS)."""
    try:
        k = BodyKind(kind)
    except ValueError as exc:
        raise InvalidInput(_("Unknown kind of body."), code="kind_invalid") from exc
    if node.level not in ATTACH_LEVELS[k]:
        raise InvalidInput(
            _("A body of this kind cannot be attached at this level."), code="level_not_allowed"
        )
    if not name.strip():
        raise InvalidInput(_("A name is required."), code="name_required")
    _check_period(term_start, term_end)
    _check_period(contract_start, contract_end)
    body = Body.objects.create(
        kind=k.value,
        node=node,
        name=name.strip(),
        grid=grid,
        term_start=term_start,
        term_end=term_end,
        contract_start=contract_start,
        contract_end=contract_end,
        rules_size=rules_size,
    )
    audit_record(
        actor=actor,
        action="bodies.body_created",
        obj=body,
        after=snapshot(body, BODY_FIELDS),
        node_path=node.path,
    )
    return body


@transaction.atomic
def body_update(*, actor: Any, body: Body, **changes: Any) -> Body:
    """Change a body's name, term, contract or rules size."""
    body = Body.objects.select_for_update().get(pk=body.pk)
    allowed = {
        "name",
        "term_start",
        "term_end",
        "contract_start",
        "contract_end",
        "rules_size",
        "dissolved_on",
    }
    if set(changes) - allowed:
        raise InvalidInput(_("These fields cannot be changed here."), code="field_not_allowed")
    before = snapshot(body, BODY_FIELDS)
    for key, value in changes.items():
        setattr(body, key, value)
    _check_period(body.term_start, body.term_end)
    _check_period(body.contract_start, body.contract_end)
    body.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action="bodies.body_updated",
        obj=body,
        before=before,
        after=snapshot(body, BODY_FIELDS),
        node_path=body.node.path,
    )
    return body


@transaction.atomic
def member_add(
    *,
    actor: Any,
    body: Body,
    person: Person,
    term_start: dt.date,
    position: str = Position.MEMBER,
    elected_how: str = "",
    category: str = "",
    term_end: dt.date | None = None,
) -> BodyMembership:
    """Add a member with position, term and how chosen. Size and share rules are reported, not enforced."""
    if position not in {p.value for p in Position}:
        raise InvalidInput(_("Unknown position."), code="position_invalid")
    if elected_how and elected_how not in {e.value for e in ElectedHow}:
        raise InvalidInput(_("Unknown way of being chosen."), code="elected_how_invalid")
    if category and category not in {c.value for c in RepresentativeCategory}:
        raise InvalidInput(_("Unknown member category."), code="category_invalid")
    _check_period(term_start, term_end)
    if BodyMembership.objects.filter(body=body, person=person, ended_on__isnull=True).exists():
        raise InvalidInput(_("This person is already a member of this body."), code="already_member")
    membership = BodyMembership.objects.create(
        body=body,
        person=person,
        position=position,
        elected_how=elected_how,
        category=category,
        term_start=term_start,
        term_end=term_end,
    )
    audit_record(
        actor=actor,
        action="bodies.member_added",
        obj=membership,
        after=snapshot(membership, MEMBER_FIELDS),
        node_path=body.node.path,
    )
    return membership


@transaction.atomic
def member_end(*, actor: Any, membership: BodyMembership, ended_on: dt.date) -> BodyMembership:
    """A member leaves the body on `ended_on` (resignation, recall, end of term)."""
    membership = BodyMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_on is not None:
        raise InvalidInput(_("This membership has already ended."), code="already_closed")
    if ended_on < membership.term_start:
        raise InvalidInput(_("A period cannot end before it starts."), code="end_before_start")
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action="bodies.member_ended",
        obj=membership,
        before={"ended_on": None},
        after={"ended_on": ended_on},
        node_path=membership.body.node.path,
    )
    return membership
