"""Scoped reads for every page, endpoint, export and admin screen: the only way an object reaches a user.

`*_get_for(user, id)` answers NotFound alike for a missing object and one out of the user's reach, so a denial
leaks nothing (no 403-vs-404 difference). `require(user, kind, action, obj)` raises Forbidden for an object the
user can see but may not change. `*_visible_to(user)` are the list querysets, filtered by the same rules.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from gongzhi.access import filters
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can, perm_name
from gongzhi.access.reach import NodeAccess, Reach, reach_of
from gongzhi.api.messages import FORBIDDEN, NOT_FOUND
from gongzhi.core.errors import Forbidden, NotFound

M = TypeVar("M", bound=Model)

V, C = Action.VIEW, Action.CHANGE


def not_found() -> NotFound:
    return NotFound(NOT_FOUND)


def forbidden() -> Forbidden:
    return Forbidden(FORBIDDEN)


def require(user: Any, kind: Kind, action: Action, obj: Model | None = None) -> None:
    """Forbidden unless `user` may take `action` on `kind` at `obj` (its container when creating)."""
    if not user.has_perm(perm_name(kind, action), obj):
        raise forbidden()


def require_view(user: Any, kind: Kind, obj: Model) -> None:
    """NotFound unless `user` may view `kind` at `obj`: a page the user may not see does not exist for them."""
    if not user.has_perm(perm_name(kind, V), obj):
        raise not_found()


def require_node_create(user: Any, parent: Model | None) -> None:
    """A node under `parent`; a new root (a district) only for platform administrators."""
    if parent is None:
        if not reach_of(user).superuser:
            raise forbidden()
        return
    require(user, Kind.NODE, C, parent)


def _filtered(qs: QuerySet[M], q: Q | None) -> QuerySet[M]:
    return qs if q is None else qs.filter(q)


def _get(qs: QuerySet[M], pk: int) -> M:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise not_found()
    return obj


# --- nodes ---------------------------------------------------------------------------------------------------


def node_access_for(user: Any, node: Any, reach: Reach | None = None) -> NodeAccess | None:
    return (reach or reach_of(user)).node_access(node.path)


def node_get_for(user: Any, node_id: int, *, name_only_ok: bool = False) -> Any:
    """A node the user sees in full (or, with `name_only_ok`, on the way down to their scope)."""
    from gongzhi.tree.models import Node

    node = Node.objects.filter(pk=node_id).first()
    access = node_access_for(user, node) if node is not None else None
    if access is None or (access == NodeAccess.NAME_ONLY and not name_only_ok):
        raise not_found()
    return node


def top_nodes_for(user: Any) -> QuerySet[Any]:
    """Where the user's tree starts: the roots for a superuser, else the top-most nodes of their scopes."""
    from gongzhi.tree.models import Node

    reach = reach_of(user)
    if reach.superuser:
        return Node.objects.get_root_nodes()
    return Node.objects.filter(path__in=reach.node_paths(Kind.NODE, V)).order_by("path")


def nodes_where(user: Any, kind: Kind, action: Action, qs: QuerySet[M]) -> QuerySet[M]:
    """Nodes of `qs` at which the user may take `action` on `kind` (e.g. communities to import into)."""
    return _filtered(qs, filters.node_q(reach_of(user), kind, action))


def children_for(user: Any, node: Any | None) -> list[tuple[Any, NodeAccess]]:
    """Children of `node` (roots when None) the user may see, each with how much of it."""
    from gongzhi.tree.models import Node

    reach = reach_of(user)
    children = Node.objects.get_root_nodes() if node is None else Node.objects.get_children(node)
    return [(c, a) for c in children if (a := reach.node_access(c.path))]


# --- homes ------------------------------------------------------------------------------------------------


def dwellings_visible_to(user: Any, qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from gongzhi.tree.models import Dwelling

    qs = Dwelling.objects.all() if qs is None else qs
    return _filtered(qs, filters.home_q(reach_of(user), Kind.DWELLING, V))


def dwellings_for(user: Any, *, node_id: int | None = None, grid_id: int | None = None) -> QuerySet[Any]:
    """The user's dwellings (a grid worker's grid, a leader's stairwell…), optionally under a node or in a grid.

    The node may be one the user sees by name only (a grid worker narrowing to a building of their community).
    """
    from gongzhi.tree.models import Dwelling

    qs = dwellings_visible_to(user, Dwelling.objects.select_related("stairwell", "building", "grid"))
    if node_id is not None:
        qs = qs.filter(path__startswith=node_get_for(user, node_id, name_only_ok=True).path)
    if grid_id is not None:
        grid = grid_get_for(user, grid_id)
        qs = qs.filter(Q(grid=grid) | Q(micro_grid=grid))
    return qs.order_by("path", "number")


def dwelling_get_for(user: Any, dwelling_id: int) -> Any:
    from gongzhi.tree.models import Dwelling

    base = Dwelling.objects.select_related("stairwell", "building", "community", "grid", "micro_grid")
    return _get(dwellings_visible_to(user, base), dwelling_id)


def residency_get_for(user: Any, residency_id: int) -> Any:
    from gongzhi.people.models import Residency

    q = filters.home_q(reach_of(user), Kind.RESIDENCY, V, filters.RESIDENCY)
    return _get(_filtered(Residency.objects.select_related("dwelling", "person"), q), residency_id)


def ownership_get_for(user: Any, ownership_id: int) -> Any:
    from gongzhi.people.models import Ownership

    q = filters.home_q(reach_of(user), Kind.OWNERSHIP, V, filters.OWNERSHIP)
    return _get(_filtered(Ownership.objects.select_related("dwelling", "person"), q), ownership_id)


def residencies_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return _filtered(qs, filters.home_q(reach_of(user), Kind.RESIDENCY, V, filters.RESIDENCY))


def ownerships_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return _filtered(qs, filters.home_q(reach_of(user), Kind.OWNERSHIP, V, filters.OWNERSHIP))


# --- grids -------------------------------------------------------------------------------------------------


def grids_visible_to(user: Any, qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from gongzhi.tree.models import Grid

    qs = Grid.objects.all() if qs is None else qs
    return _filtered(qs, filters.grid_q(reach_of(user), Kind.GRID, V))


def grid_get_for(user: Any, grid_id: int) -> Any:
    from gongzhi.tree.models import Grid

    return _get(grids_visible_to(user, Grid.objects.select_related("community")), grid_id)


# --- people --------------------------------------------------------------------------------------------------


def people_visible_to(user: Any, qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from gongzhi.people.models import Person

    qs = Person.objects.all() if qs is None else qs
    return _filtered(qs, filters.person_q(reach_of(user), V, registered_by=user))


def person_get_for(user: Any, person_id: int) -> Any:
    return _get(people_visible_to(user), person_id)


# --- bodies --------------------------------------------------------------------------------------------------


def bodies_visible_to(user: Any, qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from gongzhi.bodies.models import Body

    qs = Body.objects.all() if qs is None else qs
    return _filtered(qs, filters.body_q(reach_of(user), Kind.BODY, V))


def body_get_for(user: Any, body_id: int) -> Any:
    from gongzhi.bodies.models import Body

    return _get(bodies_visible_to(user, Body.objects.select_related("node", "grid")), body_id)


def memberships_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return _filtered(qs, filters.body_q(reach_of(user), Kind.MEMBERSHIP, V, prefix="body__"))


def membership_get_for(user: Any, membership_id: int) -> Any:
    from gongzhi.bodies.models import BodyMembership

    qs = BodyMembership.objects.select_related("body__node", "person")
    return _get(memberships_visible_to(user, qs), membership_id)


# --- pages over a community ----------------------------------------------------------------------------------


def community_get_for(user: Any, node_id: int, kind: Kind = Kind.NODE) -> Any:
    """A community whose `kind` (its node page, its compliance list) the user may view; else NotFound."""
    from gongzhi.tree.levels import Level

    node = node_get_for(user, node_id)
    if node.level != Level.COMMUNITY or not can(user, kind, V, node):
        raise not_found()
    return node
