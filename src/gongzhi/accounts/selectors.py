from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import RoleAssignment


def active_roles(user: Any, day: dt.date | None = None) -> QuerySet[RoleAssignment]:
    """The user's role assignments in force on `day` (default today, Asia/Shanghai)."""
    if not getattr(user, "is_authenticated", False):
        return RoleAssignment.objects.none()
    day = day or timezone.localdate()
    return RoleAssignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=day), user=user, start__lte=day
    ).select_related("node", "grid", "dwelling")
