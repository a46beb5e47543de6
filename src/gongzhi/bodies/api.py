"""REST endpoints for bodies (committees, Party organisations, companies...) and their members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.api import messages
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page
from gongzhi.bodies import services
from gongzhi.bodies.kinds import BodyKind, ElectedHow, Position, RepresentativeCategory
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.bodies.selectors import RenderedFinding, body_compliance, community_compliance
from gongzhi.core.errors import InvalidInput
from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.tree.levels import Level

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class MemberPerson(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str


class MembershipOut(Schema):
    id: int
    body_id: int
    person: MemberPerson
    position: Position
    elected_how: str
    category: str
    term_start: dt.date
    term_end: dt.date | None
    ended_on: dt.date | None


class BodyOut(Schema):
    id: int
    kind: BodyKind
    kind_label: str
    node_id: int
    node_name: str
    grid_id: int | None
    name: str
    term_start: dt.date | None
    term_end: dt.date | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    rules_size: int | None
    dissolved_on: dt.date | None


class BodyDetail(BodyOut):
    members: list[MembershipOut] = Field(description="Current and past memberships.")


class BodyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[BodyOut]


class BodyIn(Strict):
    kind: BodyKind
    node_id: int
    name: str = Field(max_length=120)
    grid_id: int | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    rules_size: int | None = Field(None, ge=0, le=32767)


class BodyPatch(Strict):
    name: str | None = Field(None, max_length=120)
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    rules_size: int | None = Field(None, ge=0, le=32767)
    dissolved_on: dt.date | None = None


class MemberIn(Strict):
    person_id: int
    term_start: dt.date
    position: Position = Position.MEMBER
    elected_how: ElectedHow | None = None
    category: RepresentativeCategory | None = None
    term_end: dt.date | None = None


class MembershipEndIn(Strict):
    ended_on: dt.date


class BodyFilter(PageParams):
    node: int | None = Field(None, description="Bodies on this node and under it.")


# --- rendering -------------------------------------------------------------------------------------------


def body_out(b: Body) -> dict[str, Any]:
    return {
        "id": b.pk,
        "kind": b.kind,
        "kind_label": b.kind_label,
        "node_id": b.node_id,
        "node_name": b.node.name,
        "grid_id": b.grid_id,
        "name": b.name,
        "term_start": b.term_start,
        "term_end": b.term_end,
        "contract_start": b.contract_start,
        "contract_end": b.contract_end,
        "rules_size": b.rules_size,
        "dissolved_on": b.dissolved_on,
    }


def membership_out(m: BodyMembership) -> dict[str, Any]:
    p = m.person
    return {
        "id": m.pk,
        "body_id": m.body_id,
        "position": m.position,
        "elected_how": m.elected_how,
        "category": m.category,
        "term_start": m.term_start,
        "term_end": m.term_end,
        "ended_on": m.ended_on,
        "person": {
            "id": p.pk,
            "name": p.name,
            "id_number_masked": mask_id_number(p.id_number),
            "phone_masked": mask_phone(p.phone),
        },
    }


def body_detail(b: Body) -> dict[str, Any]:
    members = b.memberships.select_related("person").order_by("ended_on", "position", "person__name", "pk")
    return {**body_out(b), "members": [membership_out(m) for m in members]}


# --- bodies ----------------------------------------------------------------------------------------------


@router.get("/bodies", response=with_errors({200: BodyPage}), summary="Bodies on a node and under it")
def bodies_list(request: HttpRequest, params: Query[BodyFilter]) -> dict[str, Any]:
    qs = access.bodies_visible_to(request.user, Body.objects.select_related("node"))
    if params.node is not None:
        node = access.node_get_for(request.user, params.node)
        qs = qs.filter(node__path__startswith=node.path)
    return page(qs.order_by("node__path", "kind", "name", "pk"), params, body_out)


@router.get("/bodies/{body_id}", response=with_errors({200: BodyDetail}), summary="A body with its members")
def body_get(request: HttpRequest, body_id: int) -> dict[str, Any]:
    return body_detail(access.body_get_for(request.user, body_id))


@router.post("/bodies", response=with_errors({201: BodyDetail}), summary="Register a body")
def body_create(request: HttpRequest, payload: BodyIn) -> Status[dict[str, Any]]:
    node = access.node_get_for(request.user, payload.node_id)
    grid = access.grid_get_for(request.user, payload.grid_id) if payload.grid_id is not None else None
    access.require(request.user, Kind.BODY, Action.CHANGE, node)
    values = payload.model_dump(exclude={"node_id", "grid_id", "kind"})
    body = services.body_create(actor=request.user, kind=payload.kind.value, node=node, grid=grid, **values)
    return Status(201, body_detail(body))


@router.patch("/bodies/{body_id}", response=with_errors({200: BodyDetail}), summary="Change a body")
def body_update(request: HttpRequest, body_id: int, payload: BodyPatch) -> dict[str, Any]:
    body = access.body_get_for(request.user, body_id)
    access.require(request.user, Kind.BODY, Action.CHANGE, body)
    changes = payload.model_dump(exclude_unset=True)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise InvalidInput(messages.NAME_REQUIRED, code="name_required")
    return body_detail(services.body_update(actor=request.user, body=body, **changes))


@router.post("/bodies/{body_id}/members", response=with_errors({201: MembershipOut}), summary="Add a member")
def member_add(request: HttpRequest, body_id: int, payload: MemberIn) -> Status[dict[str, Any]]:
    body = access.body_get_for(request.user, body_id)
    person = access.person_get_for(request.user, payload.person_id)
    access.require(request.user, Kind.MEMBERSHIP, Action.CHANGE, body)
    membership = services.member_add(
        actor=request.user,
        body=body,
        person=person,
        term_start=payload.term_start,
        position=payload.position.value,
        elected_how=payload.elected_how.value if payload.elected_how else "",
        category=payload.category.value if payload.category else "",
        term_end=payload.term_end,
    )
    return Status(201, membership_out(membership))


@router.post(
    "/memberships/{membership_id}/end",
    response=with_errors({200: MembershipOut}),
    summary="A member leaves a body",
)
def member_end(request: HttpRequest, membership_id: int, payload: MembershipEndIn) -> dict[str, Any]:
    membership = access.membership_get_for(request.user, membership_id)
    access.require(request.user, Kind.MEMBERSHIP, Action.CHANGE, membership)
    return membership_out(
        services.member_end(actor=request.user, membership=membership, ended_on=payload.ended_on)
    )


# --- compliance ------------------------------------------------------------------------------------------


class FindingOut(Schema):
    code: str = Field(description="Stable code of the check.")
    message: str = Field(description="In the request's language.")
    severity: str = Field(description='"error", "warning" or "info".')
    force: str = Field(description="Force of the rule (binding, recommended, descriptive, default...).")
    clause: str = Field(description="Clause ID in the rules catalogue.")
    clauses: list[str]
    key: str = Field(description="Policy key the check reads.")


class BodyFindingsOut(Schema):
    body: BodyOut
    findings: list[FindingOut]


class ComplianceParams(Schema):
    on: dt.date | None = Field(None, description="Check as of this day (default: today).")


def finding_out(f: RenderedFinding) -> dict[str, Any]:
    return {
        "code": f.code,
        "message": f.message,
        "severity": f.severity,
        "force": f.force,
        "clause": f.clause,
        "clauses": list(f.clauses),
        "key": f.key,
    }


@router.get(
    "/bodies/{body_id}/compliance",
    response=with_errors({200: list[FindingOut]}),
    summary="Compliance findings for one body",
)
def body_compliance_get(
    request: HttpRequest, body_id: int, params: Query[ComplianceParams]
) -> list[dict[str, Any]]:
    body = access.body_get_for(request.user, body_id)
    return [finding_out(f) for f in body_compliance(body, today=params.on)]


@router.get(
    "/communities/{node_id}/compliance",
    response=with_errors({200: list[BodyFindingsOut]}),
    summary="Compliance findings for every body on a community and under it",
)
def community_compliance_get(
    request: HttpRequest, node_id: int, params: Query[ComplianceParams]
) -> list[dict[str, Any]]:
    community = access.node_get_for(request.user, node_id)
    if community.level != Level.COMMUNITY:
        raise InvalidInput(messages.NOT_A_COMMUNITY, code="not_a_community")
    access.require_view(request.user, Kind.COMPLIANCE, community)
    rows = community_compliance(community, today=params.on)
    return [{"body": body_out(b), "findings": [finding_out(f) for f in findings]} for b, findings in rows]
