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
    return page_batch(qs, params, lambda objs: [render(obj) for obj in objs])


def page_batch(
    qs: QuerySet[Any], params: PageParams, render_all: Callable[[list[Any]], list[T]]
) -> dict[str, Any]:
    """Like page(), rendering the slice in one call (to fetch what the items need in bulk)."""
    items = render_all(list(qs[params.offset : params.offset + params.limit]))
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset, "items": items}
