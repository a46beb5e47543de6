"""REST endpoints for appeals (issue 4 §1): the work queue with counts, one case with its timeline and the
actions the caller may take, submitting, and one POST per lifecycle transition (the transition in the path).

Handlers appear by role, never by name; the submitter is never named (anonymity, §5 #37, is kept by not
exposing names at all). Photos are uploaded on the web form (multipart).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from gongzhi.access import selectors as access
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page
from gongzhi.appeals import cases, intake, selectors, topics
from gongzhi.appeals.models import Appeal, AppealIntake, Channel
from gongzhi.appeals.presentation import actor_label
from gongzhi.appeals.services import holiday_schedule_load
from gongzhi.deliberation.selectors import topic_get_for

router = Router()

TransitionName = Literal[
    "accept", "triage", "record_progress", "request_info", "provide_info", "transfer", "convene_meeting",
    "resolve", "escalate", "supervise", "confirm", "reopen", "request_escalation", "merge", "link",
]  # fmt: skip


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class AppealOut(Schema):
    id: int
    category: str
    state: str
    city: str
    track: str
    step: str = Field(description="The rung of the city's ladder the case is at.")
    level: str
    place_id: int
    place_name: str
    severity: str
    anonymous: bool
    overdue: bool
    due_date: dt.date | None
    calendar_official: bool = Field(description="False: counted Monday–Friday, calendar not yet official.")
    supervision_due: dt.date | None
    version: int
    created_at: dt.datetime
    mine: bool


class EventOut(Schema):
    at: dt.datetime
    by: str = Field(description="The actor's role, never their name.")
    transition: str
    from_state: str
    to_state: str
    from_step: str
    to_step: str
    record: dict[str, Any]
    clause: str


class TopicLinkOut(Schema):
    id: int
    title: str
    node_id: int
    procedure: str
    state: str
    decision: str
    decided_at: dt.datetime | None


class AppealDetail(AppealOut):
    description: str
    resolution: str
    rating: int | None
    link_group: int | None
    allowed_actions: list[str]
    timeline: list[EventOut]
    topics: list[TopicLinkOut] = Field(description="Deliberation topics convened on it that you may see.")
    topic_procedures: list[str] = Field(
        description="Procedures a new topic may follow at the case's rung (POST .../topics)."
    )


class AppealPage(Schema):
    count: int
    limit: int
    offset: int
    counts: dict[str, int] = Field(description="Cases in the caller's reach by state.")
    items: list[AppealOut]


class AppealIn(BaseModel):
    # Plain pydantic models for the submission and its 202 answer, not ninja Schemas: a Schema runs every value
    # through ninja's attribute getter (for ORM objects), which cost 5-7 times pydantic's own validation on the
    # hottest write of the API (issue 4 §4). Both are plain data; the JSON and the OpenAPI document are the same.
    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="A category of the city's pack (appeals.categories).")
    description: str = Field(max_length=4000)
    dwelling_id: int | None = Field(None, description="The home the appeal is about (a resident: their own).")
    place_id: int | None = Field(None, description="A node containing the home, or the place (on patrol).")
    channel: Channel = Channel.WEB
    on_behalf_of: str = Field("", max_length=100)
    anonymous: bool = False
    severity: Literal["normal", "major", "emergency"] = "normal"


class SubmittedOut(Schema):
    merged: bool = Field(description="True: joined the household's open case on the same matter (BZ-5.2.1).")
    appeal: AppealDetail


class IntakeOut(BaseModel):  # plain pydantic: see AppealIn
    id: int
    state: Literal["waiting", "routed", "refused"] = Field(
        description="waiting: stored, not yet routed; routed: see appeal_id; refused: see refusal."
    )
    received_at: dt.datetime
    appeal_id: int | None = Field(None, description="The case, once routed (GET /api/v1/appeals/{id}).")
    merged: bool = Field(False, description="True: joined the household's open case on the same matter.")
    refusal: str = Field("", description="Why the rules refused it at routing, in the submitter's language.")
    refusal_code: str = ""
    url: str = Field(description="Where to follow it.")


class TransitionIn(Strict):
    version: int | None = Field(None, description="The version read; another actor's change answers 409.")
    note: str | None = Field(None, max_length=4000)
    question: str | None = Field(None, max_length=4000)
    answer: str | None = Field(None, max_length=4000)
    reason: str | None = Field(None, max_length=4000)
    resolution: str | None = Field(None, max_length=4000)
    to_unit: str | None = Field(None, max_length=200)
    to_level: str | None = None
    to_step: str | None = None
    difficulty: Literal["simple", "general", "complex"] | None = None
    deliberation: str | None = Field(None, max_length=300, description="A meeting's reference or URL.")
    due: dt.date | None = None
    rating: int | None = None
    comment: str | None = Field(None, max_length=500)
    into_case: int | None = None
    with_case: int | None = None


def appeal_out(appeal: Appeal, user: Any) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "category": appeal.category,
        "state": appeal.state,
        "city": appeal.city,
        "track": appeal.track,
        "step": appeal.step,
        "level": appeal.level,
        "place_id": appeal.place_id,
        "place_name": appeal.place.name,
        "severity": appeal.severity,
        "anonymous": appeal.anonymous,
        "overdue": appeal.overdue,
        "due_date": appeal.due_date,
        "calendar_official": appeal.calendar_official,
        "supervision_due": appeal.supervision_due,
        "version": appeal.version,
        "created_at": appeal.created_at,
        "mine": appeal.submitter_id == user.pk,
    }


def appeal_detail(appeal: Appeal, user: Any) -> dict[str, Any]:
    events = selectors.timeline(appeal)
    return {
        **appeal_out(appeal, user),
        "description": appeal.description,
        "resolution": appeal.resolution,
        "rating": appeal.rating,
        "link_group": appeal.link_group,
        "allowed_actions": cases.allowed_actions(user, appeal),
        "topics": [
            {
                "id": t.pk,
                "title": t.title,
                "node_id": t.node_id,
                "procedure": t.procedure,
                "state": t.state,
                "decision": t.decision,
                "decided_at": t.decided_at,
            }
            for t in topics.topics_of(user, appeal)
        ],  # fmt: skip
        "topic_procedures": topics.procedures_at(appeal.handling_node),
        "timeline": [
            {
                "at": e.at,
                "by": str(actor_label(e.actor_role)),
                "transition": e.transition,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "from_step": e.from_step,
                "to_step": e.to_step,
                "record": e.record,
                "clause": e.clause,
            }
            for e in events
        ],
    }


class QueueParams(PageParams):
    state: str = Field("", description="One state; empty: the open ones (the work queue).")
    mine: bool = Field(False, description="Only the caller's own appeals (any state).")
    topic_id: int | None = Field(
        None, description="Only the appeals this deliberation topic was convened on."
    )


@router.get("/appeals", response=with_errors({200: AppealPage}), summary="Work queue and own appeals")
def appeals_list(request: HttpRequest, params: Query[QueueParams]) -> dict[str, Any]:
    user = request.user
    if params.topic_id is not None:
        qs = topics.appeals_of(user, topic_get_for(user, params.topic_id))
    elif params.mine:
        qs = selectors.my_appeals(user)
    else:
        qs = selectors.work_queue(user, params.state)
    out = page(qs, params, lambda a: appeal_out(a, user))
    return {**out, "counts": selectors.queue_counts(selectors.appeals_visible_to(user))}


def intake_out(intake: AppealIntake) -> dict[str, Any]:
    return {
        "id": intake.pk,
        "state": intake.state,
        "received_at": intake.received_at,
        "appeal_id": intake.appeal_id,
        "merged": intake.merged,
        "refusal": intake.refusal,
        "refusal_code": intake.refusal_code,
        "url": _intake_url(get_script_prefix()).format(intake.pk),
    }


@functools.lru_cache(maxsize=4)
def _intake_url(script_prefix: str) -> str:
    # reverse() walks the URL resolver on every call, a measurable share of a queued submission's answer (issue 4
    # §4); the path is the same but for the id, so it is reversed once per script prefix with a stand-in id.
    stand_in = 987654321
    return reverse("api:appeal_intake_get", args=[stand_in]).replace(str(stand_in), "{}")


@router.post(
    "/appeals",
    response=with_errors({201: SubmittedOut, 202: IntakeOut}),
    summary="Submit an appeal",
    description=(
        "201 with the routed case; or, where the server queues submissions from programs "
        "(GONGZHI_APPEAL_INTAKE=queue), 202 once the submission is checked and stored: follow `url` until it "
        "is routed (usually within seconds). Bad input is answered at once in both cases."
    ),
)
def appeal_submit(request: HttpRequest, payload: AppealIn) -> Status[Any]:
    user = request.user
    if intake.queued():
        received = intake.appeal_intake_receive(
            actor=user, source_ip=request.META.get("REMOTE_ADDR") or None, **payload.model_dump()
        )
        # An IntakeOut, not a dict: ninja then only dumps it, without validating it again through its getter.
        return Status(202, IntakeOut.model_validate(intake_out(received)))
    dwelling = access.dwelling_get_for(user, payload.dwelling_id) if payload.dwelling_id else None
    place = access.node_get_for(user, payload.place_id, name_only_ok=True) if payload.place_id else None
    values = payload.model_dump(exclude={"dwelling_id", "place_id"})
    done = cases.appeal_submit(actor=user, dwelling=dwelling, place=place, **values)
    return Status(201, {"merged": done.merged, "appeal": appeal_detail(done.appeal, user)})


@router.get(
    "/appeals/intakes/{intake_id}",
    response=with_errors({200: IntakeOut}),
    summary="A queued submission: waiting, routed (with its case) or refused (with the reason)",
    url_name="appeal_intake_get",
)
def appeal_intake_get(request: HttpRequest, intake_id: int) -> dict[str, Any]:
    return intake_out(intake.intake_get_for(request.user, intake_id))


@router.get("/appeals/{appeal_id}", response=with_errors({200: AppealDetail}), summary="An appeal")
def appeal_get(request: HttpRequest, appeal_id: int) -> dict[str, Any]:
    return appeal_detail(selectors.appeal_get_for(request.user, appeal_id), request.user)


class TopicIn(Strict):
    version: int | None = Field(None, description="The version read; another actor's change answers 409.")
    topic_id: int | None = Field(None, description="Link this existing topic instead of making a new one.")
    title: str = Field(
        "", max_length=200, description="The new topic's title (default: the appeal's number)."
    )
    procedure: str = Field("", description="A procedure held at the case's rung (topic_procedures).")
    description: str = Field("", max_length=4000, description="Default: the appeal's description.")


@router.post(
    "/appeals/{appeal_id}/topics",
    response=with_errors({201: AppealDetail}),
    summary="Turn the appeal into a deliberation topic at its level, or link an existing topic",
)
def appeal_topic(request: HttpRequest, appeal_id: int, payload: TopicIn) -> Status[dict[str, Any]]:
    """The handler of the case's rung convenes a meeting on it (the `convene_meeting` action, BZ-5.2.3(d)): a
    new topic on the rung's node, or the topic `topic_id`. The timeline records the topic's number."""
    appeal, _topic = topics.appeal_convene_topic(
        actor=request.user, appeal_id=appeal_id, **payload.model_dump()
    )
    return Status(201, appeal_detail(appeal, request.user))


@router.post(
    "/appeals/{appeal_id}/{transition}",
    response=with_errors({200: AppealDetail}),
    summary="Take one action (a lifecycle transition) on an appeal",
)
def appeal_act(
    request: HttpRequest, appeal_id: int, transition: TransitionName, payload: TransitionIn
) -> dict[str, Any]:
    """The fields each action needs are in appeals.lifecycle.TRANSITIONS (e.g. escalate: reason; resolve:
    resolution; confirm: rating 1–5; supervise: due). 409 `already_changed` when another actor acted first."""
    data = payload.model_dump(exclude={"version"}, exclude_none=True)
    appeal = cases.appeal_transition(
        actor=request.user, appeal_id=appeal_id, transition=transition, data=data, version=payload.version
    )
    return appeal_detail(appeal, request.user)


# --- the official holiday calendar (§5 #18) ----------------------------------------------------------------------


class CalendarYearOut(Schema):
    year: int
    official: bool = Field(description="False: counted Monday–Friday, calendar not yet official.")
    origin: Literal["chinese_calendar", "loaded", "weekdays_only"]
    notice: str = Field(description="The State Council notice of a loaded schedule.")
    holidays: list[dt.date]
    workdays: list[dt.date] = Field(description="Make-up working days (调休上班).")


class HolidayScheduleIn(Strict):
    year: int = Field(ge=2004, le=2100)
    holidays: list[dt.date]
    workdays: list[dt.date] = []
    source: str = Field(description="The State Council notice, e.g. 国办发明电〔2026〕N号.", max_length=300)
    replace_official: bool = Field(
        False, description="Replace a schedule chinese-calendar ships (a correction)."
    )


def _administrator(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise access.forbidden()


@router.get(
    "/holidays", response=with_errors({200: list[CalendarYearOut]}), summary="The official holiday calendar"
)
def holidays_list(request: HttpRequest) -> list[dict[str, Any]]:
    """This year, next year and every loaded year (administrators)."""
    _administrator(request)
    return selectors.calendar_years(timezone.localdate())


@router.post(
    "/holidays", response=with_errors({201: CalendarYearOut}), summary="Load a year's State Council schedule"
)
def holidays_load(request: HttpRequest, payload: HolidayScheduleIn) -> Status[dict[str, Any]]:
    """Replaces any schedule loaded for that year; open appeals whose deadline was counted Monday–Friday into
    that year are recomputed in the same transaction."""
    _administrator(request)
    holiday_schedule_load(
        actor=request.user,
        year=payload.year,
        holidays=payload.holidays,
        workdays=payload.workdays,
        source=payload.source,
        replace_official=payload.replace_official,
    )
    year = next(y for y in selectors.calendar_years(timezone.localdate()) if y["year"] == payload.year)
    return Status(201, year)
