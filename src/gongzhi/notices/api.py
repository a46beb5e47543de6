"""REST endpoints of the notification centre: the caller's own notices only (anyone else's answers 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page_batch
from gongzhi.notices import selectors, services
from gongzhi.notices.models import Notice
from gongzhi.notices.presentation import shown

router = Router()


class NoticeOut(Schema):
    id: int
    kind: str = Field(description='What happened, "<app>.<event>", e.g. "appeals.alert".')
    subject_type: str = Field(description='The object it is about: "<app>.<model>", e.g. "appeals.appeal".')
    subject_id: int
    message: str = Field(description="The message code (the text is drawn from it and params).")
    params: dict[str, Any]
    text: str = Field(description="The notice in the caller's language (Accept-Language).")
    url: str = Field(description="The page of the object, or empty.")
    created_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool


class NoticePage(Schema):
    count: int
    limit: int
    offset: int
    unread_count: int = Field(description="All unread notices of the caller, whatever the filter.")
    items: list[NoticeOut]


class NoticeParams(PageParams):
    unread: bool = Field(False, description="Only the unread notices.")


class ReadAllOut(Schema):
    marked: int
    unread_count: int


def _out(notices: list[Notice]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.notice.pk,
            "kind": s.notice.kind,
            "subject_type": s.notice.subject_type,
            "subject_id": s.notice.subject_id,
            "message": s.notice.message,
            "params": s.notice.params,
            "text": s.text,
            "url": s.url,
            "created_at": s.notice.created_at,
            "read_at": s.notice.read_at,
            "unread": s.unread,
        }
        for s in shown(notices)
    ]


@router.get("/notices", response=with_errors({200: NoticePage}), summary="My notices, newest first")
def notices_list(request: HttpRequest, params: Query[NoticeParams]) -> dict[str, Any]:
    qs = selectors.notices_for(request.user, unread=params.unread)
    return {**page_batch(qs, params, _out), "unread_count": selectors.unread_count(request.user)}


@router.post("/notices/read-all", response=with_errors({200: ReadAllOut}), summary="Mark all my notices read")
def notices_read_all(request: HttpRequest) -> dict[str, Any]:
    marked = services.notices_mark_all_read(actor=request.user)
    return {"marked": marked, "unread_count": selectors.unread_count(request.user)}


@router.post(
    "/notices/{notice_id}/read", response=with_errors({200: NoticeOut}), summary="Mark a notice read"
)
def notice_read(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    return _out([services.notice_mark_read(actor=request.user, notice_id=notice_id)])[0]
