"""REST endpoints of the oversight app (issue 4 §3): a node's dashboard for a period and the street's weekly
meeting agenda. Staff whose scope covers the node only; anybody else gets 404, as for a missing node."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.api.errors import with_errors
from gongzhi.oversight import presentation, selectors
from gongzhi.oversight.periods import meeting_from, period_from

router = Router()


class PeriodParams(Schema):
    period: str = Field(
        "", description="month, quarter or year (around `at`, default today); empty: this quarter"
    )
    from_: str = Field("", alias="from", description="first day YYYY-MM-DD (with `to`: a custom period)")
    to: str = Field("", description="last day YYYY-MM-DD, included")
    at: str = Field("", description="a day inside the month, quarter or year asked for (YYYY-MM-DD)")


class PeriodOut(Schema):
    kind: str
    from_: dt.date = Field(..., alias="from")
    to: dt.date


class LevelCount(Schema):
    level: str
    label: str
    count: int


class RatingCount(Schema):
    rating: int
    count: int


class SatisfactionOut(Schema):
    rated: int = Field(description="Cases closed with a rating (§5 #27).")
    mean: str | None = Field(description="Mean rating, two decimals; null when nobody rated.")
    distribution: list[RatingCount]
    no_response: int = Field(description="Closed as 'no response': counted apart, never as a rating.")
    awaiting_confirmation: int
    satisfied: int
    satisfied_percent: str


class CategoryCount(Schema):
    category: str
    label: str
    count: int


class AppealsOut(Schema):
    submitted: int = Field(
        description="Appeals submitted in the period under the node (merged ones left out)."
    )
    open: int
    open_overdue: int
    resolved: int
    resolved_by_level: list[LevelCount]
    resolved_at_or_below_community: int
    resolved_at_or_below_community_percent: str
    on_time: int = Field(description="Resolved on or before the due date of the level that resolved them.")
    late: int
    no_deadline: int
    on_time_percent: str
    median_working_days: str | None = Field(
        description="Median working days from submission (day not counted) to resolution (counted)."
    )
    calendar_official: bool
    satisfaction: SatisfactionOut
    categories: list[CategoryCount]


class FlowNode(Schema):
    name: str = Field(description="A level, 'resolved:<level>' or 'open'.")
    label: str


class FlowLink(Schema):
    source: str
    target: str
    value: int


class FlowOut(Schema):
    nodes: list[FlowNode]
    links: list[FlowLink]
    ignored: int


class UnitOut(Schema):
    unit_id: int
    unit: str
    level: str
    due: int
    on_time: int
    late: int
    overdue_open: int
    pending: int
    on_time_percent: str


class DashboardOut(Schema):
    node_id: int
    node_name: str
    level: str
    period: PeriodOut
    appeals: AppealsOut
    flow: FlowOut
    directives: list[UnitOut]


class AgendaItemOut(Schema):
    problem: str = Field(description="'link:<group>' for linked cases, else 'category:<code>'.")
    category: str
    category_label: str
    linked: bool
    count: int
    appeal_ids: list[int]
    communities: list[str]
    oldest_waiting_days: int
    overdue: int


class AgendaOut(Schema):
    node_id: int
    node_name: str
    meeting_date: dt.date
    items: list[AgendaItemOut]


@router.get(
    "/oversight/{node_id}/dashboard",
    response=with_errors({200: DashboardOut}),
    summary="A node's dashboard for a period",
    by_alias=True,
)
def dashboard(request: HttpRequest, node_id: int, params: Query[PeriodParams]) -> dict[str, Any]:
    node = selectors.dashboard_node_for(request.user, node_id)
    period = period_from(params.period, params.from_, params.to, params.at)
    return presentation.dashboard_out(selectors.dashboard(node, period))


@router.get(
    "/oversight/{node_id}/agenda",
    response=with_errors({200: AgendaOut}),
    summary="The street's weekly meeting agenda (BZ-5.2.4.1)",
)
def agenda(
    request: HttpRequest,
    node_id: int,
    week: str = Query("", description="2026-W03 or a date in the week; empty: the coming meeting"),
) -> dict[str, Any]:
    street = selectors.agenda_street_for(request.user, node_id)
    meeting = meeting_from(week, selectors.meeting_weekday(street))
    items = presentation.agenda_out(selectors.weekly_agenda(street, meeting))
    return {"node_id": street.pk, "node_name": street.name, "meeting_date": meeting, "items": items}
