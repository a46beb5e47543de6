"""Query filters from a reach: the one definition of "in scope" for lists and single objects alike.

`<model>_q(reach, kind, action)` filters that model's rows to those where the reach allows `action` on `kind`
(None: no restriction, a superuser). Single-object checks run the same filter on the object's primary key, so a
list and a detail page can never disagree about what is in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from gongzhi.access.capabilities import PUBLISHED_UPWARDS, Action, Kind
from gongzhi.access.reach import Grant, Reach

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class HomeFields:
    """Where a row of a household model keeps its dwelling's path, id and grids."""

    path: str
    dwelling: str
    grid: str
    micro_grid: str


DWELLING = HomeFields("path", "pk", "grid_id", "micro_grid_id")
RESIDENCY = HomeFields("path", "dwelling_id", "dwelling__grid_id", "dwelling__micro_grid_id")
OWNERSHIP = HomeFields("dwelling__path", "dwelling_id", "dwelling__grid_id", "dwelling__micro_grid_id")


def _any(parts: list[Q]) -> Q:
    out = NOTHING
    for part in parts:
        out |= part
    return out


def _home_part(grant: Grant, f: HomeFields) -> Q:
    if grant.dwelling_id is not None:
        return Q(**{f.dwelling: grant.dwelling_id})
    if grant.grid_id is not None:
        # A grid lies inside its community (the grant's path): saying so lets PostgreSQL walk that one
        # community's stretch of the path index instead of the whole table in path order.
        in_grid = Q(**{f.grid: grant.grid_id}) | Q(**{f.micro_grid: grant.grid_id})
        return Q(**{f"{f.path}__startswith": grant.path}) & in_grid
    return Q(**{f"{f.path}__startswith": grant.path})


def home_q(reach: Reach, kind: Kind, action: Action, fields: HomeFields = DWELLING) -> Q | None:
    """Rows of a household model (dwelling, residency, ownership) in reach."""
    if reach.superuser:
        return None
    return _any([_home_part(g, fields) for g in reach.granting(kind, action)])


def home_allows(
    reach: Reach, kind: Kind, action: Action, *, dwelling_id: int, path: str, grid_id: Any, micro_grid_id: Any
) -> bool:
    """home_q's rule on one dwelling's values already in hand, without a query (a hot path that has read the
    dwelling anyway: appeals.intake). tests/access/test_home_allows.py holds the two to the same answers."""
    if reach.superuser:
        return True
    for g in reach.granting(kind, action):
        if g.dwelling_id is not None:
            if g.dwelling_id == dwelling_id:
                return True
        elif g.grid_id is not None:
            if path.startswith(g.path) and g.grid_id in (grid_id, micro_grid_id):
                return True
        elif path.startswith(g.path):
            return True
    return False


def node_q(reach: Reach, kind: Kind, action: Action, field: str = "path") -> Q | None:
    if reach.superuser:
        return None
    return _any([Q(**{f"{field}__startswith": p}) for p in reach.node_paths(kind, action)])


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def body_q(reach: Reach, kind: Kind, action: Action, prefix: str = "") -> Q | None:
    """Bodies in reach: under a node scope, on a grid scope, or (to view) published on a node above a scope."""
    from gongzhi.tree.models import Node

    if reach.superuser:
        return None
    parts = []
    for g in reach.granting(kind, action):
        if g.is_node:
            parts.append(Q(**{f"{prefix}node__path__startswith": g.path}))
        elif g.grid_id is not None:
            parts.append(Q(**{f"{prefix}grid_id": g.grid_id}))
        if action == Action.VIEW and kind in PUBLISHED_UPWARDS:
            # Bodies above one's scope are published to it: a resident knows their compound's committee.
            parts.append(Q(**{f"{prefix}node__path__in": _ancestor_paths(g.path, Node.steplen)}))
    return _any(parts)


def grid_q(reach: Reach, kind: Kind, action: Action) -> Q | None:
    if reach.superuser:
        return None
    parts = []
    for g in reach.granting(kind, action):
        if g.is_node:
            parts.append(Q(community__path__startswith=g.path))
        elif g.grid_id is not None:
            parts.append(Q(pk=g.grid_id) | Q(parent_id=g.grid_id))
    return _any(parts)


def person_q(reach: Reach, action: Action, registered_by: Any = None, kind: Kind = Kind.PERSON) -> Q | None:
    """People linked to a home or a body in reach (any period), or registered by the user themself.

    A person has no place of their own. A resident's reach gives their household (residents and co-owners of
    their home), not the members of the bodies published to them.
    """
    from gongzhi.audit.models import AuditEntry
    from gongzhi.bodies.models import BodyMembership
    from gongzhi.people.models import Ownership, Residency

    if reach.superuser:
        return None
    person = OuterRef("pk")
    residency = home_q(reach, kind, action, RESIDENCY)
    ownership = home_q(reach, kind, action, OWNERSHIP)
    members = node_q(reach, kind, action, "body__node__path")
    q = (
        Q(Exists(Residency.objects.filter(residency or NOTHING, person=person)))
        | Q(Exists(Ownership.objects.filter(ownership or NOTHING, person=person)))
        | Q(Exists(BodyMembership.objects.filter(members or NOTHING, person=person)))
    )
    if registered_by is not None and reach.anywhere(Kind.PERSON, Action.CHANGE):
        # So a worker can go on to record where a person they just registered lives.
        registered = AuditEntry.objects.filter(
            action="people.person_created",
            object_type="people.person",
            actor=registered_by,
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        q |= Q(Exists(registered))
    return q


def vote_q(reach: Reach, action: Action, prefix: str = "") -> Q | None:
    """Votes in reach: on a node of one's subtree; to view, also on a node above one's scope (a resident's
    compound and stairwell, a building leader's compound), where the vote concerns them."""
    from gongzhi.tree.models import Node

    if reach.superuser:
        return None
    parts = []
    for g in reach.granting(Kind.VOTE, action):
        if g.is_node:
            parts.append(Q(**{f"{prefix}node__path__startswith": g.path}))
        if action == Action.VIEW and g.grid_id is None:
            parts.append(Q(**{f"{prefix}node__path__in": _ancestor_paths(g.path, Node.steplen)}))
    return _any(parts)


# --- directives (issue 4 §2) ---------------------------------------------------------------------------------


def directive_q(reach: Reach, action: Action) -> Q | None:
    """Directives issued in one's subtree (the issuer's side reads the whole cascade), or with an
    assignment in it (a receiving unit)."""
    from gongzhi.directives.models import Assignment

    if reach.superuser:
        return None
    paths = reach.node_paths(Kind.DIRECTIVE, action)
    issued = _any([Q(node__path__startswith=p) for p in paths])
    received = Assignment.objects.filter(
        _any([Q(path__startswith=p) for p in paths]), directive=OuterRef("pk")
    )
    return issued | Q(Exists(received)) if paths else NOTHING


def assignment_q(reach: Reach, action: Action, community_depth: int) -> Q | None:
    """Assignments in reach. To view: under one's node. To act: one's own unit's, where a community's
    workers also carry its compounds' (no role below the community represents a unit of work)."""
    if reach.superuser:
        return None
    parts = []
    for p in reach.node_paths(Kind.DIRECTIVE, action) if action == Action.VIEW else _exact(reach):
        if action == Action.VIEW or len(p) == community_depth:
            parts.append(Q(path__startswith=p))
        else:
            parts.append(Q(path=p))
    return _any(parts)


def _exact(reach: Reach) -> list[str]:
    return sorted({g.path for g in reach.granting(Kind.DIRECTIVE, Action.CHANGE) if g.is_node})


# --- deliberation (issue 5 §1) ---------------------------------------------------------------------------------


def topic_q(reach: Reach, action: Action, prefix: str = "") -> Q | None:
    """Topics in reach: on a node of one's subtree (grid staff: their grid's community); to view, also on the
    nodes above one's scope (a resident's stairwell, building, compound and community), published to them."""
    from gongzhi.tree.models import Node

    if reach.superuser:
        return None
    parts = []
    for g in reach.granting(Kind.TOPIC, action):
        if g.dwelling_id is None:
            parts.append(Q(**{f"{prefix}node__path__startswith": g.path}))
        if action == Action.VIEW:
            parts.append(Q(**{f"{prefix}node__path__in": _ancestor_paths(g.path, Node.steplen)}))
    return _any(parts)


# --- appeals (issue 4 §1) ------------------------------------------------------------------------------------


def appeal_q(reach: Reach, action: Action) -> Q | None:
    """Cases whose place is under a node scope, in a grid scope's grid, or about a resident's own home (the
    submitter's own cases are added by appeals.selectors)."""
    if reach.superuser:
        return None
    parts = []
    for g in reach.granting(Kind.APPEAL, action):
        if g.dwelling_id is not None:
            parts.append(Q(dwelling_id=g.dwelling_id))
        elif g.grid_id is not None:
            parts.append(Q(path__startswith=g.path, grid_id=g.grid_id))
        else:
            parts.append(Q(path__startswith=g.path))
    return _any(parts)
