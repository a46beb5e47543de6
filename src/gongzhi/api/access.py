"""Who may read and write what through the API, for now (the next issue moves this onto the rules library).

Reading: a superuser sees everything; anyone else sees an object when its tree path starts with the scope
path of one of their active role assignments. Missing and out-of-scope ids raise the same NotFound, so a
denial leaks nothing. Writing additionally needs a node-scoped officer role covering the target (Forbidden
when the object is visible but the user may only read it).
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import active_roles
from gongzhi.api import messages
from gongzhi.audit.models import AuditEntry
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.core.errors import Forbidden, NotFound
from gongzhi.people.models import Ownership, Person, Residency
from gongzhi.tree.models import Dwelling, Grid, Node

WRITE_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_OFFICER, Role.DISTRICT_OFFICER})


def not_found() -> NotFound:
    return NotFound(messages.NOT_FOUND)


def forbidden() -> Forbidden:
    return Forbidden(messages.FORBIDDEN)


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def read_paths(user: Any) -> list[str]:
    """Subtrees the user reads in full. A resident's role covers one dwelling, not its whole stairwell."""
    return sorted({r.scope_path for r in active_roles(user) if r.scope_path and r.dwelling_id is None})


def dwelling_ids(user: Any) -> set[int]:
    """Dwellings the user reads through a dwelling-scoped role (a resident's own home)."""
    return {r.dwelling_id for r in active_roles(user) if r.dwelling_id is not None}


def write_paths(user: Any) -> list[str]:
    return sorted({r.scope_path for r in active_roles(user) if r.role in WRITE_ROLES and r.node_id})


def covers(paths: list[str], path: str) -> bool:
    return any(path.startswith(p) for p in paths)


def path_q(user: Any, field: str = "path") -> Q | None:
    """A filter for objects under the user's scopes; None means no restriction (superuser)."""
    if is_superuser(user):
        return None
    return _prefix_q(field, read_paths(user))


def scoped(qs: QuerySet[Any], user: Any, field: str = "path") -> QuerySet[Any]:
    q = path_q(user, field)
    return qs if q is None else qs.filter(q)


def require_read(user: Any, path: str) -> None:
    if not (is_superuser(user) or covers(read_paths(user), path)):
        raise not_found()


def require_write(user: Any, path: str | None) -> None:
    """`path` None means a target with no place in the tree (a new district): superusers only."""
    if is_superuser(user):
        return
    if path is None or not covers(write_paths(user), path):
        raise forbidden()


def may_write_somewhere(user: Any) -> None:
    if not (is_superuser(user) or write_paths(user)):
        raise forbidden()


def _get(qs: QuerySet[Any], pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise not_found()
    return obj


def node_get_for(user: Any, node_id: int) -> Node:
    node: Node = _get(Node.objects.all(), node_id)
    require_read(user, node.path)
    return node


def dwelling_get_for(user: Any, dwelling_id: int) -> Dwelling:
    dwelling: Dwelling = _get(Dwelling.objects.all(), dwelling_id)
    if dwelling.pk not in dwelling_ids(user):
        require_read(user, dwelling.path)
    return dwelling


def grid_get_for(user: Any, grid_id: int) -> Grid:
    grid: Grid = _get(Grid.objects.select_related("community"), grid_id)
    require_read(user, grid.community.path)
    return grid


def ownership_get_for(user: Any, ownership_id: int) -> Ownership:
    ownership: Ownership = _get(Ownership.objects.select_related("dwelling", "person"), ownership_id)
    require_read(user, ownership.dwelling.path)
    return ownership


def residency_get_for(user: Any, residency_id: int) -> Residency:
    residency: Residency = _get(Residency.objects.select_related("dwelling", "person"), residency_id)
    if residency.dwelling_id not in dwelling_ids(user):
        require_read(user, residency.path)
    return residency


def body_get_for(user: Any, body_id: int) -> Body:
    body: Body = _get(Body.objects.select_related("node"), body_id)
    require_read(user, body.node.path)
    return body


def membership_get_for(user: Any, membership_id: int) -> BodyMembership:
    membership: BodyMembership = _get(
        BodyMembership.objects.select_related("body__node", "person"), membership_id
    )
    require_read(user, membership.body.node.path)
    return membership


# People have no place in the tree of their own: a person is in scope through a household membership, an
# ownership or a body membership under one of the user's scopes (any period), or when the user registered
# them (so a worker can go on to record where a newly registered person lives).


def people_visible_to(user: Any) -> QuerySet[Person]:
    if is_superuser(user):
        return Person.objects.all()
    paths = read_paths(user)
    return Person.objects.filter(
        _person_link_q(paths)
        | Q(Exists(_registered_by(user).filter(object_id=Cast(OuterRef("pk"), CharField()))))
    )


def _prefix_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def _person_link_q(paths: list[str]) -> Q:
    person = OuterRef("pk")
    return (
        Q(Exists(Residency.objects.filter(_prefix_q("path", paths), person=person)))
        | Q(Exists(Ownership.objects.filter(_prefix_q("dwelling__path", paths), person=person)))
        | Q(Exists(BodyMembership.objects.filter(_prefix_q("body__node__path", paths), person=person)))
    )


def _registered_by(user: Any) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(action="people.person_created", object_type="people.person", actor=user)


def person_get_for(user: Any, person_id: int) -> Person:
    person: Person = _get(people_visible_to(user), person_id)
    return person


def person_require_write(user: Any, person: Person) -> None:
    """Officers may change a person linked under their writable scope, or one they registered themselves."""
    if is_superuser(user):
        return
    paths = write_paths(user)
    linked = Person.objects.filter(pk=person.pk).filter(_person_link_q(paths)).exists()
    if not linked and not (paths and _registered_by(user).filter(object_id=str(person.pk)).exists()):
        raise forbidden()
