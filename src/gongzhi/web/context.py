from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def nav(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar needs; evaluated only when a page renders the bar."""

    def can_audit() -> bool:
        from gongzhi.audit.selectors import auditor_paths

        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and auditor_paths(user) != [])

    def can_export() -> bool:
        from gongzhi.exports.selectors import may_take_part

        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and may_take_part(user))

    def can_oversee() -> bool:
        from gongzhi.oversight.selectors import may_see_dashboards

        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and may_see_dashboards(user))

    return {
        "can_audit": SimpleLazyObject(can_audit),
        "can_export": SimpleLazyObject(can_export),
        "can_oversee": SimpleLazyObject(can_oversee),
    }
