"""Object permissions as `rules` predicates: `user.has_perm("gongzhi.change_dwelling", dwelling)`.

One permission per (action, kind), e.g. gongzhi.view_person, gongzhi.change_residency. The object is the
thing itself, or for creating, its container (a node for a new dwelling, a dwelling for a move-in). Later
issues compose these with workflow state (`rules` predicates combine with & and |).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Model, Q

from gongzhi.access import filters
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.reach import Reach, reach_of


def perm_name(kind: Kind, action: Action) -> str:
    return f"gongzhi.{action.value}_{kind.value}"


def _object_q(reach: Reach, user: Any, kind: Kind, action: Action, obj: Model) -> Q | None:
    from gongzhi.appeals.models import Appeal
    from gongzhi.bodies.models import Body, BodyMembership
    from gongzhi.people.models import Ownership, Person, Residency
    from gongzhi.tree.models import Dwelling, Grid
    from gongzhi.voting.models import Vote

    if isinstance(obj, Dwelling):
        return filters.home_q(reach, kind, action, filters.DWELLING)
    if isinstance(obj, Residency):
        return filters.home_q(reach, kind, action, filters.RESIDENCY)
    if isinstance(obj, Ownership):
        return filters.home_q(reach, kind, action, filters.OWNERSHIP)
    if isinstance(obj, Grid):
        return filters.grid_q(reach, kind, action)
    if isinstance(obj, Body):
        return filters.body_q(reach, kind, action)
    if isinstance(obj, BodyMembership):
        return filters.body_q(reach, kind, action, prefix="body__")
    if isinstance(obj, Person):
        return filters.person_q(reach, action, registered_by=user, kind=kind)
    if isinstance(obj, Vote):
        return filters.vote_q(reach, action)
    if isinstance(obj, Appeal):
        return filters.appeal_q(reach, action)
    if obj._meta.app_label == "directives":
        return _directives_q(reach, action, obj)
    return _deliberation_q(reach, action, obj)


def _directives_q(reach: Reach, action: Action, obj: Model) -> Q | None:
    """Directives and their assignments (issue 4 §2)."""
    from gongzhi.directives.models import Assignment, Directive
    from gongzhi.tree.models import Node

    if isinstance(obj, Directive):
        return filters.directive_q(reach, action)
    if isinstance(obj, Assignment):
        return filters.assignment_q(reach, action, 3 * Node.steplen)
    raise TypeError(f"no access rule for {type(obj).__name__}")


def _deliberation_q(reach: Reach, action: Action, obj: Model) -> Q | None:
    from gongzhi.deliberation.models import Meeting, Topic

    if isinstance(obj, Topic):
        return filters.topic_q(reach, action)
    if isinstance(obj, Meeting):
        return filters.topic_q(reach, action, prefix="topic__")
    raise TypeError(f"no access rule for {type(obj).__name__}")


def can(user: Any, kind: Kind, action: Action, obj: Model | None = None, reach: Reach | None = None) -> bool:
    """Whether `user` may take `action` on `kind` at `obj` (None: anywhere at all)."""
    from gongzhi.tree.models import Node

    reach = reach or reach_of(user)
    if reach.superuser:
        return True
    if obj is None:
        return reach.anywhere(kind, action)
    if isinstance(obj, Node):  # nodes are checked on their path alone, no query
        return reach.covers_path(kind, action, obj.path)
    q = _object_q(reach, user, kind, action, obj)
    return type(obj)._default_manager.filter(q or Q(), pk=obj.pk).exists()


def _predicate(kind: Kind, action: Action) -> rules.Predicate:
    def check(user: Any, obj: Model | None = None) -> bool:
        return can(user, kind, action, obj)

    return rules.predicate(check, name=perm_name(kind, action))


def register() -> None:
    for kind in Kind:
        for action in Action:
            rules.set_perm(perm_name(kind, action), _predicate(kind, action))
