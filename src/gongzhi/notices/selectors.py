"""Reads of the notification centre: a user sees their own notices only (anyone else's is NotFound)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.access.selectors import not_found
from gongzhi.notices.models import Notice, Preference


def notices_for(user: Any, *, unread: bool = False) -> QuerySet[Notice]:
    """The user's notices, newest first; only the unread ones with `unread`."""
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    qs = Notice.objects.filter(recipient=user).order_by("-created_at", "-pk")
    return qs.filter(read_at__isnull=True) if unread else qs


def notice_get_for(user: Any, notice_id: int) -> Notice:
    notice = notices_for(user).filter(pk=notice_id).first()
    if notice is None:
        raise not_found()
    return notice


def unread_count(user: Any) -> int:
    """One count over the partial index notice_unread (the badge on every page)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def preference_of(user: Any) -> Preference:
    """The user's channel choice; both channels on while they have not chosen."""
    found = Preference.objects.filter(user=user).first()
    return found if found is not None else Preference(user=user)
