"""Write path for log-ins and role assignments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Account, RoleAssignment
from gongzhi.accounts.roles import ROLE_SCOPE, Role, ScopeKind
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import InvalidInput
from gongzhi.people.models import Person
from gongzhi.tree.models import Dwelling, Grid, Node


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    person: Person | None = None,
    is_staff: bool = False,
    first_name: str = "",
) -> AbstractBaseUser:
    """Create a log-in (staff or resident), optionally linked to the person it belongs to."""
    User = get_user_model()
    username = username.strip()
    if not username:
        raise InvalidInput(_("A user name is required."), code="username_required")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("This user name is taken."), code="username_taken")
    user = User.objects.create_user(
        username=username, password=password, is_staff=is_staff, first_name=first_name
    )
    Account.objects.create(user=user, person=person)
    audit_record(
        actor=actor,
        action="accounts.user_created",
        obj=user,
        after={"username": username, "person": person.pk if person else None, "is_staff": is_staff},
    )
    return user


def _scope_path(node: Node | None, grid: Grid | None, dwelling: Dwelling | None) -> str:
    if node is not None:
        return node.path
    if grid is not None:
        return grid.community.path
    assert dwelling is not None
    return dwelling.path


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: Any,
    role: str,
    start: dt.date,
    node: Node | None = None,
    grid: Grid | None = None,
    dwelling: Dwelling | None = None,
    end: dt.date | None = None,
) -> RoleAssignment:
    """Give `user` a role over one scope; the scope kind and level must fit the role (accounts.roles)."""
    try:
        r = Role(role)
    except ValueError as exc:
        raise InvalidInput(_("Unknown role."), code="role_invalid") from exc
    kind, levels = ROLE_SCOPE[r]
    given = {ScopeKind.NODE: node, ScopeKind.GRID: grid, ScopeKind.DWELLING: dwelling}
    if given[kind] is None or any(v is not None for k, v in given.items() if k != kind):
        raise InvalidInput(_("This role is held over a different kind of scope."), code="scope_invalid")
    if kind == ScopeKind.NODE and node is not None and node.level not in levels:
        raise InvalidInput(
            _("This role cannot be held at this level of the tree."), code="scope_level_invalid"
        )
    if end is not None and end < start:
        raise InvalidInput(_("A role cannot end before it starts."), code="end_before_start")
    assignment = RoleAssignment.objects.create(
        user=user,
        role=r.value,
        node=node,
        grid=grid,
        dwelling=dwelling,
        start=start,
        end=end,
        scope_path=_scope_path(node, grid, dwelling),
    )
    audit_record(
        actor=actor,
        action="accounts.role_assigned",
        obj=assignment,
        after={
            "user": user.pk,
            "role": r.value,
            "node": node.pk if node else None,
            "grid": grid.pk if grid else None,
            "dwelling": dwelling.pk if dwelling else None,
            "start": start,
            "end": end,
        },
        node_path=assignment.scope_path,
    )
    return assignment


@transaction.atomic
def role_end(*, actor: Any, assignment: RoleAssignment, end: dt.date) -> RoleAssignment:
    """Close a role assignment on `end` (kept for history)."""
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.end is not None and assignment.end <= end:
        raise InvalidInput(_("This role assignment has already ended."), code="already_closed")
    if end < assignment.start:
        raise InvalidInput(_("A role cannot end before it starts."), code="end_before_start")
    before = {"end": assignment.end}
    assignment.end = end
    assignment.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="accounts.role_ended",
        obj=assignment,
        before=before,
        after={"end": end},
        node_path=assignment.scope_path,
    )
    return assignment
