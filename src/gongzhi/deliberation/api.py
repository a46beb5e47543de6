"""REST endpoints for topics (list, create, one topic with its stepper, take a step, decide), meetings
(schedule, one meeting, sign in, join, post, minutes) and the must-deliberate catalogue. Files (a step's photo,
meeting attachments) are uploaded on the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import CatalogueEntry, Meeting, Topic
from gongzhi.voting.selectors import vote_get_for

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class TopicOut(Schema):
    id: int
    node_id: int
    node_name: str
    title: str
    description: str
    source: str
    appeal_id: int | None
    matter: str | None = Field(description="The must-deliberate matter (NB-3.2.1), if listed.")
    procedure: str
    state: str
    version: int
    decision: str
    decided_at: dt.datetime | None


class StepOut(Schema):
    source: str
    target: str
    clause: str
    actor: str
    capacities: list[str]
    at: dt.datetime
    record: dict[str, Any]


class StepperOut(Schema):
    state: str
    label: str
    status: str


class MoveOut(Schema):
    target: str
    label: str
    clause: str
    records: list[str]


class TopicDetail(TopicOut):
    stepper: list[StepperOut]
    steps: list[StepOut]
    moves: list[MoveOut] = Field(description="Steps the caller may take now.")
    may_change: bool
    meetings: list[int]


class TopicPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TopicOut]


class TopicIn(Strict):
    node_id: int
    title: str = Field(max_length=200)
    description: str = Field("", max_length=20000)
    source: str = Field(description="HZ-5.1.3.2.1.1 channel, or 'appeal'.")
    procedure: str = Field(
        description="building, compound, resident_group, community, property_dispute, joint_meeting"
    )
    appeal_id: int | None = None
    matter_id: int | None = None


class AdvanceIn(Strict):
    target: str
    version: int | None = Field(None, description="The topic's version the step was prepared from.")
    meeting_id: int | None = None
    record: dict[str, Any] = Field(description="The step's records, e.g. {'document': '…', 'minutes': '…'}.")


class DecideIn(Strict):
    decision: str = Field(max_length=20000)


class MeetingIn(Strict):
    title: str = Field(max_length=200)
    format: Literal["on_site", "online"]
    starts_at: dt.datetime
    place: str = Field("", max_length=200)
    invitees: list[str] = []


class AttendeeIn(Strict):
    name: str = Field(max_length=60)
    capacity: str = Field(max_length=60)


class PostIn(Strict):
    body: str = Field(max_length=20000)


class MinutesIn(Strict):
    minutes: str = Field(max_length=50000)
    decisions: str = Field("", max_length=20000)
    vote_id: int | None = None


class MeetingOut(Schema):
    id: int
    topic_id: int
    title: str
    format: str
    starts_at: dt.datetime
    place: str
    invitees: list[str]
    minutes: str
    decisions: str
    vote_id: int | None
    attendance: list[dict[str, Any]]
    posts: list[dict[str, Any]]


class CatalogueIn(Strict):
    title: str = Field(max_length=120)


class CatalogueOut(Schema):
    id: int
    title: str
    clause: str


def topic_out(topic: Topic) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "node_id": topic.node_id,
        "node_name": topic.node.name,
        "title": topic.title,
        "description": topic.description,
        "source": topic.source,
        "appeal_id": topic.appeal_id,
        "matter": topic.matter.title if topic.matter is not None else None,
        "procedure": topic.procedure,
        "state": topic.state,
        "version": topic.version,
        "decision": topic.decision,
        "decided_at": topic.decided_at,
    }


def topic_detail(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    steps = topic.steps.select_related("actor")
    return {
        **topic_out(topic),
        "stepper": [s.__dict__ for s in selectors.stepper_for(topic)],
        "steps": [
            {
                "source": s.source,
                "target": s.target,
                "clause": s.clause,
                "actor": s.actor.get_username(),
                "capacities": s.capacities,
                "at": s.at,
                "record": s.record,
            }
            for s in steps
        ],
        "moves": [
            {"target": m.target, "label": m.label, "clause": m.clause, "records": list(m.records)}
            for m in selectors.moves_for(request.user, topic)
        ],
        "may_change": selectors.may_change(request.user, topic),
        "meetings": list(topic.meetings.values_list("pk", flat=True)),
    }


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "topic_id": meeting.topic_id,
        "title": meeting.title,
        "format": meeting.format,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "invitees": meeting.invitees,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "vote_id": meeting.vote_id,
        "attendance": [
            {"name": a.name, "capacity": a.capacity, "online": a.online, "at": a.at}
            for a in meeting.attendance.all()
        ],
        "posts": [
            {"author": p.author.get_username(), "body": p.body, "at": p.at} for p in meeting.posts.all()
        ],
    }


@router.get("/topics", response=with_errors({200: TopicPage}), summary="Topics the caller may see")
def topics_list(request: HttpRequest, paging: Query[PageParams]) -> dict[str, Any]:
    return page(selectors.topics_visible_to(request.user).select_related("matter"), paging, topic_out)


@router.post("/topics", response=with_errors({201: TopicDetail}), summary="Register a topic")
def topic_create(request: HttpRequest, payload: TopicIn) -> Status[dict[str, Any]]:
    node = access.node_get_for(request.user, payload.node_id)
    access.require(request.user, Kind.TOPIC, Action.CHANGE, node)
    matter = None
    if payload.matter_id is not None:
        matter = selectors.catalogue_for_node(node).filter(pk=payload.matter_id).first()
        if matter is None:
            raise access.not_found()
    values = payload.model_dump(exclude={"node_id", "matter_id"})
    topic = services.topic_create(actor=request.user, node=node, matter=matter, **values)
    return Status(201, topic_detail(request, topic))


@router.get(
    "/topics/{topic_id}", response=with_errors({200: TopicDetail}), summary="A topic and its procedure"
)
def topic_get(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return topic_detail(request, selectors.topic_get_for(request.user, topic_id))


@router.post(
    "/topics/{topic_id}/steps", response=with_errors({201: TopicDetail}), summary="Take the next step"
)
def topic_advance(request: HttpRequest, topic_id: int, payload: AdvanceIn) -> Status[dict[str, Any]]:
    topic = selectors.topic_get_for(request.user, topic_id)
    meeting = None
    if payload.meeting_id is not None:
        meeting = selectors.meeting_get_for(request.user, payload.meeting_id)
    services.topic_advance(
        actor=request.user,
        topic=topic,
        target=payload.target,
        capacities=selectors.capacities_for(request.user, topic),
        record=payload.record,
        version=payload.version,
        meeting=meeting,
    )
    return Status(201, topic_detail(request, selectors.topic_get_for(request.user, topic_id)))


@router.post("/topics/{topic_id}/decide", response=with_errors({200: TopicDetail}), summary="Mark decided")
def topic_decide(request: HttpRequest, topic_id: int, payload: DecideIn) -> dict[str, Any]:
    topic = selectors.topic_change_for(request.user, topic_id)
    return topic_detail(
        request, services.topic_decide(actor=request.user, topic=topic, decision=payload.decision)
    )


@router.post(
    "/topics/{topic_id}/meetings", response=with_errors({201: MeetingOut}), summary="Schedule a meeting"
)
def meeting_schedule(request: HttpRequest, topic_id: int, payload: MeetingIn) -> Status[dict[str, Any]]:
    topic = selectors.topic_change_for(request.user, topic_id)
    meeting = services.meeting_schedule(actor=request.user, topic=topic, **payload.model_dump())
    return Status(201, meeting_out(meeting))


@router.get("/meetings/{meeting_id}", response=with_errors({200: MeetingOut}), summary="A meeting")
def meeting_get(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return meeting_out(selectors.meeting_get_for(request.user, meeting_id))


@router.post(
    "/meetings/{meeting_id}/attendance",
    response=with_errors({201: MeetingOut}),
    summary="Sign someone in on site",
)
def meeting_sign_in(request: HttpRequest, meeting_id: int, payload: AttendeeIn) -> Status[dict[str, Any]]:
    meeting = selectors.meeting_change_for(request.user, meeting_id)
    services.meeting_sign_in(
        actor=request.user, meeting=meeting, name=payload.name, capacity=payload.capacity
    )
    return Status(201, meeting_out(meeting))


@router.post("/meetings/{meeting_id}/join", response=with_errors({201: MeetingOut}), summary="Join online")
def meeting_join(request: HttpRequest, meeting_id: int, payload: AttendeeIn) -> Status[dict[str, Any]]:
    meeting = selectors.meeting_get_for(request.user, meeting_id)
    services.meeting_join(actor=request.user, meeting=meeting, name=payload.name, capacity=payload.capacity)
    return Status(201, meeting_out(meeting))


@router.post(
    "/meetings/{meeting_id}/posts", response=with_errors({201: MeetingOut}), summary="Post to the thread"
)
def meeting_post(request: HttpRequest, meeting_id: int, payload: PostIn) -> Status[dict[str, Any]]:
    meeting = selectors.meeting_get_for(request.user, meeting_id)
    services.meeting_post(actor=request.user, meeting=meeting, body=payload.body)
    return Status(201, meeting_out(meeting))


@router.post(
    "/meetings/{meeting_id}/minutes", response=with_errors({200: MeetingOut}), summary="Record minutes"
)
def meeting_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> dict[str, Any]:
    meeting = selectors.meeting_change_for(request.user, meeting_id)
    vote = vote_get_for(request.user, payload.vote_id) if payload.vote_id is not None else None
    meeting = services.meeting_record(
        actor=request.user, meeting=meeting, minutes=payload.minutes, decisions=payload.decisions, vote=vote
    )
    return meeting_out(meeting)


@router.get(
    "/communities/{node_id}/must-deliberate",
    response=with_errors({200: list[CatalogueOut]}),
    summary="A community's must-deliberate catalogue (NB-3.2.1)",
)
def catalogue_list(request: HttpRequest, node_id: int) -> list[CatalogueEntry]:
    community = access.community_get_for(request.user, node_id, Kind.TOPIC)
    return list(selectors.catalogue_of(community))


@router.post(
    "/communities/{node_id}/must-deliberate",
    response=with_errors({201: CatalogueOut}),
    summary="Add a matter to the catalogue",
)
def catalogue_add(request: HttpRequest, node_id: int, payload: CatalogueIn) -> Status[CatalogueEntry]:
    community = access.community_get_for(request.user, node_id, Kind.TOPIC)
    access.require(request.user, Kind.TOPIC, Action.CHANGE, community)
    return Status(201, services.catalogue_add(actor=request.user, community=community, title=payload.title))
