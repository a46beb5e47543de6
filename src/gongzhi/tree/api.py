"""REST endpoints for the tree, dwellings and grids. Thin: access checks, services, schemas out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.api import messages
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page, page_batch
from gongzhi.core.errors import InvalidInput
from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.people.models import Person
from gongzhi.people.selectors import household_of, ownerships_on
from gongzhi.tree import selectors, services
from gongzhi.tree.levels import Level
from gongzhi.tree.models import AreaSource, CommunityKind, Dwelling, DwellingUse, Grid, Node

router = Router()
NATIONAL_PACK = "national"


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class NodeRef(Schema):
    id: int
    name: str
    level: Level


class NodeOut(NodeRef):
    level_label: str
    code: str
    community_kind: str
    policy_pack: str = Field(description="Pack set on this node; empty means inherited.")
    has_children: bool
    dwellings: int = Field(description="Dwellings in the subtree.")
    residents: int = Field(description="People living in the subtree now.")


class NodeDetail(NodeOut):
    ancestors: list[NodeRef] = Field(description="Root first.")
    policy_pack_in_force: str


class NodePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NodeOut]


class NodeIn(Strict):
    parent_id: int | None = Field(None, description="Empty for a new district.")
    name: str = Field(max_length=100)
    level: Level
    code: str = Field("", max_length=12)
    community_kind: CommunityKind | None = None
    policy_pack: str = Field("", max_length=20)


class NodePatch(Strict):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=12)
    community_kind: CommunityKind | None = None
    policy_pack: str | None = Field(None, max_length=20)


class PersonBrief(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str


class OwnerOut(Schema):
    ownership_id: int
    person: PersonBrief
    start: dt.date
    document: str


class HouseholdMemberOut(Schema):
    residency_id: int
    person: PersonBrief
    relation: str
    is_representative: bool
    start: dt.date


class DwellingOut(Schema):
    id: int
    number: str
    floor: int | None
    use: DwellingUse
    area: str = Field(description='Floor area in m² as a decimal string, e.g. "89.47".', examples=["89.47"])
    area_source: AreaSource
    is_sold: bool
    is_delivered: bool
    stairwell_id: int
    building_id: int
    community_id: int
    grid_id: int | None
    micro_grid_id: int | None


class DwellingDetail(DwellingOut):
    stairwell: NodeRef
    building: NodeRef
    owners: list[OwnerOut] = Field(description="Current owners.")
    household: list[HouseholdMemberOut] = Field(description="People living there now.")


class DwellingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DwellingOut]


AREA_FIELD = Field(description='Decimal string with at most two places, e.g. "89.47".', examples=["89.47"])


class DwellingIn(Strict):
    stairwell_id: int
    number: str = Field(max_length=20)
    area: str = AREA_FIELD
    floor: int | None = None
    use: DwellingUse = DwellingUse.RESIDENTIAL
    area_source: AreaSource = AreaSource.REGISTER
    is_sold: bool = True
    is_delivered: bool = True
    grid_id: int | None = None


class DwellingPatch(Strict):
    number: str | None = Field(None, max_length=20)
    area: str | None = AREA_FIELD
    floor: int | None = None
    use: DwellingUse | None = None
    area_source: AreaSource | None = None
    is_sold: bool | None = None
    is_delivered: bool | None = None


class GridOut(Schema):
    id: int
    community_id: int
    parent_id: int | None
    kind: Grid.Kind
    name: str
    code: str
    dwelling_count: int


class GridPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[GridOut]


class GridIn(Strict):
    community_id: int
    name: str = Field(max_length=100)
    parent_id: int | None = Field(None, description="A grid of the same community, for a micro-grid.")
    code: str = Field("", max_length=40)


class GridAssignIn(Strict):
    building_ids: list[int] = Field(default_factory=list, max_length=1000)
    dwelling_ids: list[int] = Field(default_factory=list, max_length=10000)


class GridAssignOut(Schema):
    moved: int


# --- rendering -------------------------------------------------------------------------------------------


def node_ref(node: Node) -> dict[str, Any]:
    return {"id": node.pk, "name": node.name, "level": node.level}


def node_out(node: Node, counts: selectors.SubtreeCounts | None = None) -> dict[str, Any]:
    counts = counts or selectors.subtree_counts(node)
    return {
        **node_ref(node),
        "level_label": node.level_label,
        "code": node.code,
        "community_kind": node.community_kind,
        "policy_pack": node.policy_pack,
        "has_children": node.numchild > 0,
        "dwellings": counts.dwellings,
        "residents": counts.residents,
    }


def nodes_out(nodes: list[Node]) -> list[dict[str, Any]]:
    counts = selectors.subtree_counts_many(nodes)
    return [node_out(n, counts[n.pk]) for n in nodes]


def node_detail(node: Node) -> dict[str, Any]:
    ancestors = selectors.ancestors_of(node)
    return {
        **node_out(node),
        "ancestors": [node_ref(a) for a in ancestors],
        "policy_pack_in_force": selectors.policy_pack_in_force(node, ancestors)[0] or NATIONAL_PACK,
    }


def area_str(area: Decimal) -> str:
    return str(Decimal(area).quantize(Decimal("0.01")))


def dwelling_out(d: Dwelling) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "floor": d.floor,
        "use": d.use,
        "area": area_str(d.area),
        "area_source": d.area_source,
        "is_sold": d.is_sold,
        "is_delivered": d.is_delivered,
        "stairwell_id": d.stairwell_id,
        "building_id": d.building_id,
        "community_id": d.community_id,
        "grid_id": d.grid_id,
        "micro_grid_id": d.micro_grid_id,
    }


def person_brief(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "id_number_masked": mask_id_number(p.id_number),
        "phone_masked": mask_phone(p.phone),
    }


def dwelling_detail(d: Dwelling) -> dict[str, Any]:
    d = Dwelling.objects.select_related("stairwell", "building").get(pk=d.pk)
    owners = (
        ownerships_on(timezone.localdate())
        .filter(dwelling=d)
        .select_related("person")
        .order_by("start", "pk")
    )
    return {
        **dwelling_out(d),
        "stairwell": node_ref(d.stairwell),
        "building": node_ref(d.building),
        "owners": [
            {"ownership_id": o.pk, "person": person_brief(o.person), "start": o.start, "document": o.document}
            for o in owners
        ],
        "household": [
            {
                "residency_id": r.pk,
                "person": person_brief(r.person),
                "relation": r.relation,
                "is_representative": r.is_representative,
                "start": r.start,
            }
            for r in household_of(d)
        ],
    }


def grid_out(g: Grid) -> dict[str, Any]:
    count = getattr(g, "dwelling_count", None)
    if count is None:
        count = g.dwellings.count()
    return {
        "id": g.pk,
        "community_id": g.community_id,
        "parent_id": g.parent_id,
        "kind": g.kind,
        "name": g.name,
        "code": g.code,
        "dwelling_count": count,
    }


def community_get_for(user: Any, node_id: int) -> Node:
    node = access.node_get_for(user, node_id)
    if node.level != Level.COMMUNITY:
        raise InvalidInput(messages.NOT_A_COMMUNITY, code="not_a_community")
    return node


# --- nodes -----------------------------------------------------------------------------------------------


def _top_nodes(user: Any) -> QuerySet[Node]:
    """Roots for a superuser; for others the top-most nodes of their scopes."""
    return access.top_nodes_for(user)


@router.get("/nodes", response=with_errors({200: NodePage}), summary="List root nodes or a node's children")
def nodes_list(request: HttpRequest, paging: Query[PageParams], parent: int | None = None) -> dict[str, Any]:
    if parent is None:
        qs = _top_nodes(request.user)
    else:
        qs = Node.objects.get_children(access.node_get_for(request.user, parent))
    return page_batch(qs, paging, nodes_out)


@router.get(
    "/nodes/{node_id}", response=with_errors({200: NodeDetail}), summary="A node with ancestors and counts"
)
def node_get(request: HttpRequest, node_id: int) -> dict[str, Any]:
    return node_detail(access.node_get_for(request.user, node_id))


@router.post("/nodes", response=with_errors({201: NodeDetail}), summary="Add a node")
def node_create(request: HttpRequest, payload: NodeIn) -> Status[dict[str, Any]]:
    parent = access.node_get_for(request.user, payload.parent_id) if payload.parent_id is not None else None
    access.require_node_create(request.user, parent)
    node = services.node_create(
        actor=request.user,
        parent=parent,
        name=payload.name,
        level=payload.level.value,
        code=payload.code,
        community_kind=payload.community_kind.value if payload.community_kind else "",
        policy_pack=payload.policy_pack,
    )
    return Status(201, node_detail(node))


@router.patch("/nodes/{node_id}", response=with_errors({200: NodeDetail}), summary="Change a node")
def node_update(request: HttpRequest, node_id: int, payload: NodePatch) -> dict[str, Any]:
    node = access.node_get_for(request.user, node_id)
    access.require(request.user, Kind.NODE, Action.CHANGE, node)
    changes = {k: v or "" for k, v in payload.model_dump(exclude_unset=True).items()}
    if "name" in changes and not changes["name"].strip():
        raise InvalidInput(messages.NAME_REQUIRED, code="name_required")
    node = services.node_update(actor=request.user, node=node, **changes)
    return node_detail(node)


@router.get(
    "/nodes/{node_id}/dwellings", response=with_errors({200: DwellingPage}), summary="Dwellings under a node"
)
def node_dwellings(request: HttpRequest, node_id: int, paging: Query[PageParams]) -> dict[str, Any]:
    node = access.node_get_for(request.user, node_id)
    return page(selectors.dwellings_under(node), paging, dwelling_out)


# --- grids -----------------------------------------------------------------------------------------------


@router.get(
    "/communities/{node_id}/grids", response=with_errors({200: GridPage}), summary="Grids of a community"
)
def community_grids(request: HttpRequest, node_id: int, paging: Query[PageParams]) -> dict[str, Any]:
    community = community_get_for(request.user, node_id)
    return page(selectors.grids_of(community), paging, grid_out)


@router.get(
    "/communities/{node_id}/ungridded-dwellings",
    response=with_errors({200: DwellingPage}),
    summary="Dwellings of a community in no grid",
)
def community_ungridded(request: HttpRequest, node_id: int, paging: Query[PageParams]) -> dict[str, Any]:
    community = community_get_for(request.user, node_id)
    return page(selectors.dwellings_without_grid(community).order_by("path", "number"), paging, dwelling_out)


@router.post(
    "/grids", response=with_errors({201: GridOut}), summary="Lay a grid or micro-grid over a community"
)
def grid_create(request: HttpRequest, payload: GridIn) -> Status[dict[str, Any]]:
    community = community_get_for(request.user, payload.community_id)
    parent = access.grid_get_for(request.user, payload.parent_id) if payload.parent_id is not None else None
    access.require(request.user, Kind.GRID, Action.CHANGE, community)
    grid = services.grid_create(
        actor=request.user, community=community, name=payload.name, parent=parent, code=payload.code
    )
    return Status(201, grid_out(grid))


@router.post(
    "/grids/{grid_id}/assign",
    response=with_errors({200: GridAssignOut}),
    summary="Put buildings and dwellings into a grid",
)
def grid_assign(request: HttpRequest, grid_id: int, payload: GridAssignIn) -> dict[str, Any]:
    grid = access.grid_get_for(request.user, grid_id)
    access.require(request.user, Kind.GRID, Action.CHANGE, grid)
    buildings = [access.node_get_for(request.user, pk) for pk in payload.building_ids]
    if any(b.level != Level.BUILDING for b in buildings):
        raise InvalidInput(messages.NOT_A_BUILDING, code="not_a_building")
    dwellings = list(
        access.dwellings_visible_to(request.user, Dwelling.objects.filter(pk__in=payload.dwelling_ids))
    )
    if len(dwellings) != len(set(payload.dwelling_ids)):
        raise access.not_found()
    moved = services.grid_assign(actor=request.user, grid=grid, buildings=buildings, dwellings=dwellings)
    return {"moved": moved}


# --- dwellings -------------------------------------------------------------------------------------------


@router.get(
    "/dwellings/{dwelling_id}",
    response=with_errors({200: DwellingDetail}),
    summary="A dwelling with its current owners and household",
)
def dwelling_get(request: HttpRequest, dwelling_id: int) -> dict[str, Any]:
    return dwelling_detail(access.dwelling_get_for(request.user, dwelling_id))


class DwellingFilter(PageParams):
    node: int | None = Field(None, description="Only dwellings under this node.")
    grid: int | None = Field(None, description="Only dwellings in this grid or micro-grid.")


@router.get("/dwellings", response=with_errors({200: DwellingPage}), summary="Your dwellings, filtered")
def dwellings_list(request: HttpRequest, params: Query[DwellingFilter]) -> dict[str, Any]:
    """Every dwelling in your reach (a grid worker: their grid; a resident: their home)."""
    qs = access.dwellings_for(request.user, node_id=params.node, grid_id=params.grid)
    return page(qs, params, dwelling_out)


@router.post(
    "/dwellings", response=with_errors({201: DwellingDetail}), summary="Add a dwelling to a stairwell"
)
def dwelling_create(request: HttpRequest, payload: DwellingIn) -> Status[dict[str, Any]]:
    stairwell = access.node_get_for(request.user, payload.stairwell_id)
    grid = access.grid_get_for(request.user, payload.grid_id) if payload.grid_id is not None else None
    access.require(request.user, Kind.DWELLING, Action.CHANGE, stairwell)
    values = payload.model_dump(exclude={"stairwell_id", "grid_id"})
    dwelling = services.dwelling_create(actor=request.user, stairwell=stairwell, grid=grid, **values)
    return Status(201, dwelling_detail(dwelling))


@router.patch(
    "/dwellings/{dwelling_id}", response=with_errors({200: DwellingDetail}), summary="Change a dwelling"
)
def dwelling_update(request: HttpRequest, dwelling_id: int, payload: DwellingPatch) -> dict[str, Any]:
    dwelling = access.dwelling_get_for(request.user, dwelling_id)
    access.require(request.user, Kind.DWELLING, Action.CHANGE, dwelling)
    changes = payload.model_dump(exclude_unset=True)
    required = {"number", "area", "use", "area_source", "is_sold", "is_delivered"}
    if any(changes[k] is None for k in required & set(changes)):
        raise InvalidInput(messages.VALUE_REQUIRED, code="value_required")
    dwelling = services.dwelling_update(actor=request.user, dwelling=dwelling, **changes)
    return dwelling_detail(dwelling)
