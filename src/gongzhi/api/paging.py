"""Limit/offset paging with a total count. Lists are capped (MAX_LIMIT) because items may carry counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_LIMIT = 200
T = TypeVar("T")


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT}).")
    offset: int = Field(0, ge=0, description="Items to skip.")


def page(qs: QuerySet[Any], params: PageParams, render: Callable[[Any], T]) -> dict[str, Any]:
    """{"count": total, "limit", "offset", "items": [render(obj) for the requested slice]}."""
    items = [render(obj) for obj in qs[params.offset : params.offset + params.limit]]
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset, "items": items}
