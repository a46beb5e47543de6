"""REST endpoints for votes: list, create, open, cast, close, publish, result, recount file, receipt lookup.

Paper ballots and proxies carry a scanned document and are entered on the web pages (multipart forms).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.api.errors import ErrorOut, with_errors
from gongzhi.api.paging import PageParams, page
from gongzhi.core import pdf
from gongzhi.core.errors import Conflict, GongzhiError, InvalidInput
from gongzhi.voting import ballot_chain, counting, selectors, services
from gongzhi.voting.models import Rule, Vote
from gongzhi.voting.models import Status as VoteStatus
from gongzhi.voting.presentation import RECEIPT_INVALID, not_published, result_context, result_in

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class VoteOut(Schema):
    id: int
    node_id: int
    node_name: str
    rule: Rule
    item: int | None = Field(description="Civil Code art. 278 item (1–9) of an owners' assembly.")
    title: str
    motion: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    roll_date: dt.date
    secret: bool
    status: VoteStatus
    chain_head: str = Field(description="SHA-256 of the last ballot-log entry, once closed.")


class VoteDetail(VoteOut):
    roll: int = Field(description="Dwellings (or households) on the frozen roll.")
    voted: int
    may_manage: bool
    my_dwellings: list[int] = Field(description="Dwellings the caller may vote for.")


class VotePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VoteOut]


class VoteIn(Strict):
    node_id: int = Field(description="A compound (owners' assembly) or a stairwell (building meeting).")
    rule: Rule
    item: int | None = None
    title: str = Field(max_length=200)
    motion: str = Field(max_length=20000)
    opens_at: dt.datetime = Field(description="With a time zone, e.g. 2026-03-01T08:00:00+08:00.")
    closes_at: dt.datetime
    roll_date: dt.date = Field(description="Cut-off date of the roll.")
    secret: bool = False


class BallotIn(Strict):
    dwelling_id: int
    choice: Literal["yes", "no", "abstain"]


class ReceiptOut(Schema):
    receipt: str
    choice: str
    counted_once: bool = Field(description="A co-owner's identical ballot: the dwelling counts once.")


class MyBallotOut(Schema):
    receipt: str
    choice: str
    dwelling: str


class ReceiptFound(Schema):
    found: bool
    receipt: str | None = None
    choice: str | None = None
    dwelling: str | None = None


def vote_out(vote: Vote) -> dict[str, Any]:
    return {
        "id": vote.pk,
        "node_id": vote.node_id,
        "node_name": vote.node.name,
        "rule": vote.rule,
        "item": vote.item,
        "title": vote.title,
        "motion": vote.motion,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "roll_date": vote.roll_date,
        "secret": vote.secret,
        "status": vote.status,
        "chain_head": vote.chain_head,
    }


def vote_detail(request: HttpRequest, vote: Vote) -> dict[str, Any]:
    return {
        **vote_out(vote),
        **selectors.vote_counts(vote),
        "may_manage": selectors.may_manage(request.user, vote),
        "my_dwellings": [e.dwelling_id for e in selectors.my_entries(request.user, vote)],
    }


@router.get("/votes", response=with_errors({200: VotePage}), summary="Votes the caller may see")
def votes_list(request: HttpRequest, paging: Query[PageParams]) -> dict[str, Any]:
    return page(selectors.votes_visible_to(request.user), paging, vote_out)


@router.post("/votes", response=with_errors({201: VoteDetail}), summary="Create a draft vote")
def vote_create(request: HttpRequest, payload: VoteIn) -> Status[dict[str, Any]]:
    node = access.node_get_for(request.user, payload.node_id)
    access.require(request.user, Kind.VOTE, Action.CHANGE, node)
    values = payload.model_dump(exclude={"node_id"})
    vote = services.vote_create(actor=request.user, node=node, **values)
    return Status(201, vote_detail(request, vote))


@router.get("/votes/{vote_id}", response=with_errors({200: VoteDetail}), summary="A vote")
def vote_get(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    return vote_detail(request, selectors.vote_get_for(request.user, vote_id))


@router.post(
    "/votes/{vote_id}/open", response=with_errors({200: VoteDetail}), summary="Open: freeze the roll"
)
def vote_open(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    vote = selectors.vote_manage_for(request.user, vote_id)
    return vote_detail(request, services.vote_open(actor=request.user, vote=vote))


@router.post(
    "/votes/{vote_id}/close", response=with_errors({200: VoteDetail}), summary="Close after closing time"
)
def vote_close(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    vote = selectors.vote_manage_for(request.user, vote_id)
    return vote_detail(request, services.vote_close(actor=request.user, vote=vote))


@router.post(
    "/votes/{vote_id}/publish", response=with_errors({200: VoteDetail}), summary="Publish the result"
)
def vote_publish(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    vote = selectors.vote_manage_for(request.user, vote_id)
    return vote_detail(request, services.vote_publish(actor=request.user, vote=vote))


@router.post(
    "/votes/{vote_id}/ballots",
    response=with_errors({201: ReceiptOut}),
    summary="Cast a ballot online (owners)",
)
def ballot_cast(request: HttpRequest, vote_id: int, payload: BallotIn) -> Status[dict[str, Any]]:
    """The vote's visibility is checked only when the ballot is refused: an accepted ballot comes from an owner
    on the vote's roll, who sees the vote (selectors.votes_visible_to), so the common case saves the reach and
    visibility queries. A refusal answers as before: 404 for a vote out of reach whatever the reason, except
    "already voted", which only an owner on the roll is told."""
    try:
        cast = services.ballot_cast_online(
            actor=request.user, vote=vote_id, dwelling_id=payload.dwelling_id, choice=payload.choice
        )
    except services.AlreadyVoted:
        raise
    except GongzhiError:
        selectors.vote_get_for(request.user, vote_id)
        raise
    return Status(201, {"receipt": cast.receipt, "choice": cast.choice, "counted_once": cast.counted_once})


@router.get(
    "/votes/{vote_id}/my-ballots",
    response=with_errors({200: list[MyBallotOut]}),
    summary="The caller's receipts",
)
def my_ballots(request: HttpRequest, vote_id: int) -> list[dict[str, Any]]:
    vote = selectors.vote_get_for(request.user, vote_id)
    return [
        {"receipt": c.receipt, "choice": c.choice, "dwelling": c.dwelling_label}
        for c in selectors.my_choices(request.user, vote)
    ]


def _published(request: HttpRequest, vote_id: int) -> Vote:
    vote = selectors.vote_get_for(request.user, vote_id)
    if vote.status != VoteStatus.PUBLISHED:
        raise Conflict(not_published(), code="not_published")
    return vote


@router.get(
    "/votes/{vote_id}/result", response=with_errors({200: dict[str, Any]}), summary="Published result"
)
def vote_result(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    """The recount's output with its comparisons, and the publication: chain head and receipts."""
    vote = _published(request, vote_id)
    return {"result": result_in(vote.result, get_language()), "publication": vote.publication}


@router.get(
    "/votes/{vote_id}/recount",
    response=with_errors({200: dict[str, Any]}),
    summary="The `gongzhi tally` file",
)
def vote_recount(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    return counting.recount_document(_published(request, vote_id))


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The notice for the board as an A4 PDF, with the arithmetic.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/votes/{vote_id}/notice.pdf",
    response=with_errors({}) | {503: ErrorOut},
    openapi_extra=PDF_RESPONSE,
    summary="The published result's notice (PDF)",
)
def vote_notice_pdf(request: HttpRequest, vote_id: int) -> HttpResponse:
    """503 with code pdf_unavailable where the server lacks the PDF renderer's system libraries."""
    vote = _published(request, vote_id)
    context = {**result_context(vote), "LANGUAGE_CODE": get_language()}
    return pdf.pdf_response(pdf.render_pdf("voting/notice_pdf.html", context), f"vote-{vote.pk}-notice.pdf")


@router.get("/votes/{vote_id}/receipt", response=with_errors({200: ReceiptFound}), summary="Find a receipt")
def receipt_lookup(request: HttpRequest, vote_id: int, code: str) -> dict[str, Any]:
    """Whether a receipt is in the published list, and with which choice (a voter checks their ballot)."""
    vote = _published(request, vote_id)
    if ballot_chain.receipt_normalise(code) is None:
        raise InvalidInput(RECEIPT_INVALID, code="receipt_invalid")
    row = ballot_chain.receipt_find(vote.publication or {"receipts": []}, code)
    return {"found": row is not None, **(row or {})}
