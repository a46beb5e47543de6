from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread badge in the navigation bar: one indexed count, only when a page renders the bar."""

    def count() -> int:
        from gongzhi.notices.selectors import unread_count

        return unread_count(getattr(request, "user", None))

    return {"unread_notices": SimpleLazyObject(count)}
