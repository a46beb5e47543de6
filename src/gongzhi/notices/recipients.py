"""Who is told: users holding a role at given tree nodes today (the notification centre's address book)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone


def users_with_roles(
    roles: Iterable[str], node_paths: Iterable[str], *, subtree: str = "", limit: int = 500
) -> list[Any]:
    """Distinct users with an active assignment of one of `roles` on a node whose path is in `node_paths` or,
    with `subtree`, on any node, grid or dwelling under that path."""
    roles, paths = list(roles), list(node_paths)
    if not roles or not (paths or subtree):
        return []
    today = timezone.localdate()
    where = Q(role_assignments__node__path__in=paths)
    if subtree:
        where |= Q(role_assignments__scope_path__startswith=subtree)
    active = Q(role_assignments__end__isnull=True) | Q(role_assignments__end__gte=today)
    qs = get_user_model().objects.filter(
        where,
        active,
        is_active=True,
        role_assignments__role__in=roles,
        role_assignments__start__lte=today,
    )
    return list(qs.distinct().order_by("pk")[:limit])
