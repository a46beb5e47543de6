"""Write path for the tree, dwellings and grids. Every function takes the acting user and audits."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record, snapshot
from gongzhi.core.errors import InvalidInput
from gongzhi.tree.levels import Level, may_contain, validate_code
from gongzhi.tree.models import AreaSource, Dwelling, DwellingUse, Grid, Node

NODE_FIELDS = ["name", "level", "code", "community_kind", "policy_pack"]
DWELLING_FIELDS = [
    "number",
    "floor",
    "use",
    "area",
    "area_source",
    "is_sold",
    "is_delivered",
    "grid",
    "micro_grid",
]

CODE_ERRORS = {
    "code_not_digits": _("The division code must contain digits only."),
    "code_length": _("A street or community code has 12 digits (a district code 6 or 12)."),
    "code_shape": _(
        "The code does not have the shape of this level (street codes end in 000, community codes do not)."
    ),
    "code_parent_mismatch": _("The code does not extend the parent's division code."),
    "code_not_allowed": _("Only districts, streets and communities carry a division code."),
}


def parse_area(raw: Any) -> Decimal:
    """A non-negative area in m² with at most two decimals, as Decimal (never float)."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(
            _("The floor area must be a number of square metres."), code="area_invalid"
        ) from exc
    if not value.is_finite() or value < 0:
        raise InvalidInput(_("The floor area must be a non-negative number."), code="area_invalid")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInput(_("The floor area has at most two decimal places."), code="area_invalid")
    if value >= Decimal("100000000"):
        raise InvalidInput(_("The floor area is too large."), code="area_invalid")
    return value.quantize(Decimal("0.01"))


def _check_node(*, parent: Node | None, level: str, code: str, community_kind: str) -> None:
    try:
        lv = Level(level)
    except ValueError as exc:
        raise InvalidInput(_("Unknown level."), code="level_invalid") from exc
    parent_level = Level(parent.level) if parent else None
    if not may_contain(parent_level, lv):
        raise InvalidInput(_("A node of this level cannot be placed here."), code="level_not_allowed")
    error = validate_code(lv, code, parent.code if parent else None)
    if error:
        raise InvalidInput(CODE_ERRORS[error], code=error)
    if community_kind and lv != Level.COMMUNITY:
        raise InvalidInput(_("Only a community has an urban/rural type."), code="kind_not_allowed")


@transaction.atomic
def node_create(
    *,
    actor: Any,
    parent: Node | None,
    name: str,
    level: str,
    code: str = "",
    community_kind: str = "",
    policy_pack: str = "",
) -> Node:
    """Add a node under `parent` (None: a new district). The level must fit under the parent's level."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), code="name_required")
    _check_node(parent=parent, level=level, code=code, community_kind=community_kind)
    if level == Level.COMMUNITY and not community_kind:
        community_kind = "urban"
    if policy_pack:
        from gongzhi.policy.packs import require_pack

        require_pack(policy_pack)
    if code and Node.objects.filter(code=code).exists():
        raise InvalidInput(_("Another node already has this division code."), code="code_taken")
    fields = {
        "name": name,
        "level": level,
        "code": code,
        "community_kind": community_kind,
        "policy_pack": policy_pack,
    }
    node = (
        Node.objects.add_child(parent, create_kwargs=fields)
        if parent
        else Node.objects.add_root(create_kwargs=fields)
    )
    audit_record(
        actor=actor,
        action="tree.node_created",
        obj=node,
        after=snapshot(node, NODE_FIELDS),
        node_path=node.path,
    )
    return node


@transaction.atomic
def node_update(*, actor: Any, node: Node, **changes: Any) -> Node:
    """Change name, code, community type or policy pack (the level and place are fixed)."""
    node = Node.objects.select_for_update().get(pk=node.pk)
    before = snapshot(node, NODE_FIELDS)
    allowed = {"name", "code", "community_kind", "policy_pack"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("These fields cannot be changed here."), code="field_not_allowed")
    for key, value in changes.items():
        setattr(node, key, value.strip() if isinstance(value, str) else value)
    parent = Node.objects.get_parent(node)
    _check_node(parent=parent, level=node.level, code=node.code, community_kind=node.community_kind)
    if node.policy_pack:
        from gongzhi.policy.packs import require_pack

        require_pack(node.policy_pack)
    if node.code and Node.objects.filter(code=node.code).exclude(pk=node.pk).exists():
        raise InvalidInput(_("Another node already has this division code."), code="code_taken")
    node.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action="tree.node_updated",
        obj=node,
        before=before,
        after=snapshot(node, NODE_FIELDS),
        node_path=node.path,
    )
    return node


def community_of(node: Node) -> Node:
    """The community above (or at) a node below the street level."""
    if node.level == Level.COMMUNITY:
        return node
    community = Node.objects.filter(level=Level.COMMUNITY, path=node.path[: 3 * Node.steplen]).first()
    if community is None:
        raise InvalidInput(_("This node is not inside a community."), code="no_community")
    return community


def building_of(stairwell: Node) -> Node:
    return Node.objects.get_parent(stairwell)


@transaction.atomic
def dwelling_create(
    *,
    actor: Any,
    stairwell: Node,
    number: str,
    area: Any,
    use: str = DwellingUse.RESIDENTIAL,
    area_source: str = AreaSource.REGISTER,
    floor: int | None = None,
    is_sold: bool = True,
    is_delivered: bool = True,
    grid: Grid | None = None,
) -> Dwelling:
    """Add a dwelling (exclusive part) to a stairwell; its number is unique within the stairwell."""
    if stairwell.level != Level.STAIRWELL:
        raise InvalidInput(_("Dwellings belong to a stairwell."), code="not_a_stairwell")
    number = str(number).strip()
    if not number:
        raise InvalidInput(_("A dwelling number is required."), code="number_required")
    if use not in DwellingUse.values:
        raise InvalidInput(_("Unknown dwelling use."), code="use_invalid")
    if area_source not in AreaSource.values:
        raise InvalidInput(_("Unknown area source."), code="area_source_invalid")
    if Dwelling.objects.filter(stairwell=stairwell, number=number).exists():
        raise InvalidInput(_("This stairwell already has a dwelling with that number."), code="number_taken")
    community = community_of(stairwell)
    if grid is not None and grid.community_id != community.pk:
        raise InvalidInput(_("The grid belongs to another community."), code="grid_other_community")
    dwelling = Dwelling.objects.create(
        stairwell=stairwell,
        building=building_of(stairwell),
        community=community,
        path=stairwell.path,
        number=number,
        floor=floor,
        use=use,
        area=parse_area(area),
        area_source=area_source,
        is_sold=is_sold,
        is_delivered=is_delivered,
        grid=grid,
    )
    audit_record(
        actor=actor,
        action="tree.dwelling_created",
        obj=dwelling,
        after=snapshot(dwelling, DWELLING_FIELDS),
        node_path=dwelling.path,
    )
    return dwelling


@transaction.atomic
def dwelling_update(*, actor: Any, dwelling: Dwelling, **changes: Any) -> Dwelling:
    """Change a dwelling's attributes (area, use, source, sale flags, floor, number)."""
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    allowed = {"number", "floor", "use", "area", "area_source", "is_sold", "is_delivered"}
    if set(changes) - allowed:
        raise InvalidInput(_("These fields cannot be changed here."), code="field_not_allowed")
    before = snapshot(dwelling, DWELLING_FIELDS)
    if "area" in changes:
        changes["area"] = parse_area(changes["area"])
    if "use" in changes and changes["use"] not in DwellingUse.values:
        raise InvalidInput(_("Unknown dwelling use."), code="use_invalid")
    if "area_source" in changes and changes["area_source"] not in AreaSource.values:
        raise InvalidInput(_("Unknown area source."), code="area_source_invalid")
    if "number" in changes:
        changes["number"] = str(changes["number"]).strip()
        clash = Dwelling.objects.filter(stairwell_id=dwelling.stairwell_id, number=changes["number"]).exclude(
            pk=dwelling.pk
        )
        if not changes["number"] or clash.exists():
            raise InvalidInput(
                _("This stairwell already has a dwelling with that number."), code="number_taken"
            )
    for key, value in changes.items():
        setattr(dwelling, key, value)
    dwelling.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action="tree.dwelling_updated",
        obj=dwelling,
        before=before,
        after=snapshot(dwelling, DWELLING_FIELDS),
        node_path=dwelling.path,
    )
    return dwelling


@transaction.atomic
def grid_create(
    *, actor: Any, community: Node, name: str, parent: Grid | None = None, code: str = ""
) -> Grid:
    """A grid of a community, or a micro-grid inside a grid of the same community."""
    if community.level != Level.COMMUNITY:
        raise InvalidInput(_("Grids are laid over a community."), code="not_a_community")
    if parent is not None and (parent.community_id != community.pk or parent.kind != Grid.Kind.GRID):
        raise InvalidInput(_("A micro-grid must sit in a grid of the same community."), code="parent_invalid")
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), code="name_required")
    if Grid.objects.filter(community=community, name=name).exists():
        raise InvalidInput(_("The community already has a grid with this name."), code="name_taken")
    grid = Grid.objects.create(
        community=community,
        name=name,
        parent=parent,
        code=code,
        kind=Grid.Kind.MICRO_GRID if parent else Grid.Kind.GRID,
    )
    audit_record(
        actor=actor,
        action="tree.grid_created",
        obj=grid,
        after={"name": name, "community": community.pk, "parent": parent.pk if parent else None},
        node_path=community.path,
    )
    return grid


@transaction.atomic
def grid_assign(
    *, actor: Any, grid: Grid, buildings: Iterable[Node] = (), dwellings: Iterable[Dwelling] = ()
) -> int:
    """Put whole buildings and/or single dwellings into a grid (or micro-grid); returns how many moved.

    A dwelling is in exactly one grid: assigning moves it out of its previous one. For a micro-grid the
    dwelling also joins the micro-grid's parent grid.
    """
    building_ids = [b.pk for b in buildings]
    dwelling_ids = [d.pk for d in dwellings]
    qs = Dwelling.objects.filter(building_id__in=building_ids) | Dwelling.objects.filter(pk__in=dwelling_ids)
    if qs.exclude(community_id=grid.community_id).exists():
        raise InvalidInput(_("Some dwellings are outside the grid's community."), code="grid_other_community")
    if grid.kind == Grid.Kind.MICRO_GRID:
        moved = qs.update(micro_grid=grid, grid=grid.parent_id)
    else:
        moved = qs.exclude(grid=grid).update(grid=grid, micro_grid=None)
    community = grid.community
    audit_record(
        actor=actor,
        action="tree.grid_assigned",
        obj=grid,
        after={"buildings": building_ids, "dwellings": dwelling_ids, "moved": moved},
        node_path=community.path,
    )
    return moved
