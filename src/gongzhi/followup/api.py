"""REST endpoints after the decision: a topic's implementation (appoint, progress, change, follow-up, close;
HZ-5.1.3.2.1.5), residents' appraisal (HZ-5.1.3.2.2.7), filings with the community (HZ-5.1.3.2.1.3 备案) and
the deliberation success rate (catalogue §5 #29)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can
from gongzhi.api.errors import with_errors
from gongzhi.core.errors import Forbidden, InvalidInput
from gongzhi.deliberation import selectors as deliberation
from gongzhi.deliberation.models import Step, Topic
from gongzhi.followup import rules, selectors, services
from gongzhi.followup.models import Implementation

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class EventOut(Schema):
    action: str
    text: str
    percent: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    actor: str
    capacities: list[str]
    at: dt.datetime


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    reached_at: dt.datetime | None
    late: bool


class ImplementationOut(Schema):
    topic_id: int
    implementer: str
    due_on: dt.date
    standard: str
    state: str = Field(description="open, done (accepted against the standard) or failed")
    overdue: bool
    version: int
    appointed_by: str
    appointed_at: dt.datetime
    closed_at: dt.datetime | None
    milestones: list[MilestoneOut]
    events: list[EventOut]
    actions: list[str] = Field(description="What the caller may do now.")


class AppointIn(Strict):
    implementer: str = Field(
        max_length=200, description="A person, body or company, e.g. the property company"
    )
    due_on: dt.date
    standard: str = Field(max_length=20000, description="The acceptance standard")


class ProgressIn(Strict):
    text: str = Field(max_length=20000)
    percent: int | None = Field(None, ge=0, le=100)
    version: int | None = None


class ChangeIn(Strict):
    due_on: dt.date | None = None
    standard: str | None = Field(None, max_length=20000)
    reason: str = Field("", max_length=20000, description="Required for a later date or another standard")
    version: int | None = None


class MilestoneIn(Strict):
    title: str = Field(max_length=200)
    due_on: dt.date
    version: int | None = None


class ReachedIn(Strict):
    text: str = Field("", max_length=20000)
    version: int | None = None


class FollowUpIn(Strict):
    text: str = Field(max_length=20000)
    version: int | None = None


class CloseIn(Strict):
    outcome: Literal["accept", "fail"]
    text: str = Field(max_length=20000, description="How the standard was met, or why it failed")
    version: int | None = None


class AppraisalSummaryOut(Schema):
    open: bool
    scale_max: int
    satisfied_min: int
    responses: int
    households: int
    satisfied: int
    counts: dict[int, int]
    satisfaction_percent: str
    response_rate_percent: str
    my_households: list[dict[str, Any]] = Field(description="The caller's households and whether rated.")


class AppraisalIn(Strict):
    dwelling_id: int
    rating: int
    comment: str = Field("", max_length=500)


class FilingOut(Schema):
    topic_id: int
    topic_title: str
    node_name: str
    filed_by: str
    filed_at: dt.datetime
    document: str
    reference: str
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    note: str


class AcknowledgeIn(Strict):
    note: str = Field("", max_length=500)


class RateOut(Schema):
    node_id: int
    node_name: str
    succeeded: int
    accepted: int
    percent: str


class SuccessOut(Schema):
    start: dt.date
    end: dt.date
    basis: list[str]
    total: RateOut
    children: list[RateOut]


def implementation_out(request: HttpRequest, impl: Implementation) -> dict[str, Any]:
    return {
        "topic_id": impl.topic_id,
        "implementer": impl.implementer,
        "due_on": impl.due_on,
        "standard": impl.standard,
        "state": impl.state,
        "overdue": rules.overdue(state=impl.state, due_on=impl.due_on, today=timezone.localdate()),
        "version": impl.version,
        "appointed_by": impl.appointed_by.get_username(),
        "appointed_at": impl.appointed_at,
        "closed_at": impl.closed_at,
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "due_on": m.due_on,
                "reached_at": m.reached_at,
                "late": selectors.milestone_late(m),
            }
            for m in impl.milestones.all()
        ],
        "events": [
            {
                "action": e.action,
                "text": e.text,
                "percent": e.percent,
                "before": e.before,
                "after": e.after,
                "actor": e.actor.get_username(),
                "capacities": e.capacities,
                "at": e.at,
            }
            for e in impl.events.select_related("actor")
        ],
        "actions": selectors.actions_for(request.user, impl.topic, impl),
    }


def _impl(request: HttpRequest, topic_id: int) -> tuple[Implementation, frozenset[str]]:
    impl = selectors.implementation_get_for(request.user, topic_id)
    return impl, deliberation.capacities_for(request.user, impl.topic)


def _fresh(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return implementation_out(request, selectors.implementation_get_for(request.user, topic_id))


@router.get(
    "/topics/{topic_id}/implementation",
    response=with_errors({200: ImplementationOut}),
    summary="A decided topic's implementation and its log (HZ-5.1.3.2.1.5)",
)
def implementation_get(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return _fresh(request, topic_id)


@router.post(
    "/topics/{topic_id}/implementation",
    response=with_errors({201: ImplementationOut}),
    summary="Appoint who implements the decision",
)
def implementation_appoint(request: HttpRequest, topic_id: int, payload: AppointIn) -> Status[dict[str, Any]]:
    topic = deliberation.topic_get_for(request.user, topic_id)
    services.implementation_appoint(
        actor=request.user,
        topic=topic,
        capacities=deliberation.capacities_for(request.user, topic),
        **payload.model_dump(),
    )
    return Status(201, _fresh(request, topic_id))


@router.post(
    "/topics/{topic_id}/implementation/progress",
    response=with_errors({201: ImplementationOut}),
    summary="Report progress",
)
def implementation_progress(
    request: HttpRequest, topic_id: int, payload: ProgressIn
) -> Status[dict[str, Any]]:
    impl, capacities = _impl(request, topic_id)
    services.implementation_report(
        actor=request.user, implementation=impl, capacities=capacities, **payload.model_dump()
    )
    return Status(201, _fresh(request, topic_id))


@router.post(
    "/topics/{topic_id}/implementation/change",
    response=with_errors({201: ImplementationOut}),
    summary="Change the due date or the acceptance standard (a reason when later or different)",
)
def implementation_change(request: HttpRequest, topic_id: int, payload: ChangeIn) -> Status[dict[str, Any]]:
    impl, capacities = _impl(request, topic_id)
    services.implementation_change(
        actor=request.user, implementation=impl, capacities=capacities, **payload.model_dump()
    )
    return Status(201, _fresh(request, topic_id))


@router.post(
    "/topics/{topic_id}/implementation/milestones",
    response=with_errors({201: ImplementationOut}),
    summary="Add a milestone (the appointing body)",
)
def implementation_milestone(
    request: HttpRequest, topic_id: int, payload: MilestoneIn
) -> Status[dict[str, Any]]:
    impl, capacities = _impl(request, topic_id)
    services.implementation_milestone_add(
        actor=request.user, implementation=impl, capacities=capacities, **payload.model_dump()
    )
    return Status(201, _fresh(request, topic_id))


@router.post(
    "/topics/{topic_id}/implementation/milestones/{milestone_id}/reached",
    response=with_errors({200: ImplementationOut}),
    summary="Report a milestone reached",
)
def implementation_milestone_reached(
    request: HttpRequest, topic_id: int, milestone_id: int, payload: ReachedIn
) -> dict[str, Any]:
    impl, capacities = _impl(request, topic_id)
    services.implementation_milestone_reach(
        actor=request.user,
        implementation=impl,
        capacities=capacities,
        milestone_id=milestone_id,
        **payload.model_dump(),
    )
    return _fresh(request, topic_id)


@router.post(
    "/topics/{topic_id}/implementation/follow-ups",
    response=with_errors({201: ImplementationOut}),
    summary="Record a follow-up check (owners' supervisory committee)",
)
def implementation_follow_up(
    request: HttpRequest, topic_id: int, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    impl, capacities = _impl(request, topic_id)
    services.implementation_follow_up(
        actor=request.user, implementation=impl, capacities=capacities, **payload.model_dump()
    )
    return Status(201, _fresh(request, topic_id))


@router.post(
    "/topics/{topic_id}/implementation/close",
    response=with_errors({200: ImplementationOut}),
    summary="Close the implementation: accepted as done, or failed",
)
def implementation_close(request: HttpRequest, topic_id: int, payload: CloseIn) -> dict[str, Any]:
    impl, capacities = _impl(request, topic_id)
    services.implementation_close(
        actor=request.user, implementation=impl, capacities=capacities, **payload.model_dump()
    )
    return _fresh(request, topic_id)


def appraisal_out(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    summary = selectors.appraisal_summary_for(topic)
    scale_max, satisfied_min = services.appraisal_scale(topic)
    impl = selectors.implementation_of(topic)
    rated = selectors.rated_dwellings(topic)
    from gongzhi.deliberation.services import history_of

    return {
        "open": rules.appraisal_open(topic.procedure, history_of(topic), impl.state if impl else ""),
        "scale_max": scale_max,
        "satisfied_min": satisfied_min,
        "responses": summary.responses,
        "households": summary.households,
        "satisfied": summary.satisfied,
        "counts": summary.counts,
        "satisfaction_percent": rules.percent(summary.satisfaction),
        "response_rate_percent": rules.percent(summary.response_rate),
        "my_households": [
            {"dwelling_id": d.pk, "number": d.number, "rated": d.pk in rated}
            for d in selectors.appraisal_dwellings(request.user, topic)
        ],
    }


@router.get(
    "/topics/{topic_id}/appraisals",
    response=with_errors({200: AppraisalSummaryOut}),
    summary="Residents' appraisal of the result (HZ-5.1.3.2.2.7)",
)
def appraisals_get(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return appraisal_out(request, deliberation.topic_get_for(request.user, topic_id))


@router.post(
    "/topics/{topic_id}/appraisals",
    response=with_errors({201: AppraisalSummaryOut}),
    summary="Rate the result for one's household, once",
)
def appraisal_submit(request: HttpRequest, topic_id: int, payload: AppraisalIn) -> Status[dict[str, Any]]:
    topic = deliberation.topic_get_for(request.user, topic_id)
    dwelling = selectors.appraisal_dwellings(request.user, topic).filter(pk=payload.dwelling_id).first()
    if dwelling is None:
        raise Forbidden(services.NOT_YOUR_HOUSEHOLD, code="not_your_household")
    services.appraisal_submit(
        actor=request.user, topic=topic, dwelling=dwelling, rating=payload.rating, comment=payload.comment
    )
    return Status(201, appraisal_out(request, topic))


def filing_out(step: Step) -> dict[str, Any]:
    receipt = getattr(step, "receipt", None)
    return {
        "topic_id": step.topic_id,
        "topic_title": step.topic.title,
        "node_name": step.topic.node.name,
        "filed_by": step.actor.get_username(),
        "filed_at": step.at,
        "document": str(step.record.get("document", "")),
        "reference": str(step.record.get("filing_reference", "")),
        "acknowledged_by": receipt.by.get_username() if receipt else None,
        "acknowledged_at": receipt.at if receipt else None,
        "note": receipt.note if receipt else "",
    }


@router.get(
    "/communities/{node_id}/filings",
    response=with_errors({200: list[FilingOut]}),
    summary="Results filed with the community (HZ-5.1.3.2.1.3 备案)",
)
def filings_list(request: HttpRequest, node_id: int) -> list[dict[str, Any]]:
    community = access.community_get_for(request.user, node_id, Kind.TOPIC)
    return [filing_out(s) for s in selectors.filings_of(community)[:500]]


@router.post(
    "/topics/{topic_id}/filing/acknowledge",
    response=with_errors({201: FilingOut}),
    summary="The community acknowledges receipt of a filed result",
)
def filing_acknowledge(request: HttpRequest, topic_id: int, payload: AcknowledgeIn) -> Status[dict[str, Any]]:
    step = selectors.filing_get_for(request.user, topic_id)
    services.filing_acknowledge(
        actor=request.user,
        step=step,
        capacities=deliberation.capacities_for(request.user, step.topic),
        note=payload.note,
    )
    return Status(201, filing_out(selectors.filing_get_for(request.user, topic_id)))


class PeriodIn(Schema):
    node_id: int
    start: dt.date | None = Field(None, description="First day (default: 1 January of this year)")
    end: dt.date | None = Field(None, description="Last day, inclusive (default: today)")


def success_node(user: Any, node_id: int) -> Any:
    node = access.node_get_for(user, node_id)
    if not can(user, Kind.TOPIC, Action.VIEW, node):
        raise access.not_found()
    return node


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start, end = start or today.replace(month=1, day=1), end or today
    if end < start:
        raise InvalidInput(services.PERIOD_INVALID, code="period_invalid")
    return start, end


def rate_out(row: selectors.RateRow) -> dict[str, Any]:
    return {
        "node_id": row.node.pk,
        "node_name": row.node.name,
        "succeeded": row.rate.succeeded,
        "accepted": row.rate.accepted,
        "percent": row.percent,
    }


@router.get(
    "/topics/success-rate",
    response=with_errors({200: SuccessOut}),
    summary="Deliberation success rate of a node and its children (HZ-6.1, catalogue §5 #29)",
)
def success_rate(request: HttpRequest, params: Query[PeriodIn]) -> dict[str, Any]:
    node = success_node(request.user, params.node_id)
    start, end = period(params.start, params.end)
    total, children = selectors.success_rates(node, start, end)
    return {
        "start": start,
        "end": end,
        "basis": ["HZ-6.1", "§5#29"],
        "total": rate_out(total),
        "children": [rate_out(r) for r in children],
    }
