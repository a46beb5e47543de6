"""REST endpoints for directives: list, issue, one directive with its cascade, the unit's steps (acknowledge,
split, report progress, complete), the county's access list and the BZ-7.2 reports.

Attachments are uploaded on the web pages (multipart forms); the API lists them by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page_batch
from gongzhi.directives import reports, selectors, services
from gongzhi.directives.models import Directive
from gongzhi.directives.rules import ItemKind, State

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class TargetIn(Strict):
    node_id: int = Field(description="A unit directly under the issuing (or splitting) unit.")
    due_date: dt.date = Field(description="No later than the deadline it comes from.")


class DirectiveIn(Strict):
    node_id: int = Field(description="The issuing district, street or community (the caller's own).")
    title: str = Field(max_length=200)
    content: str = Field(max_length=20000)
    basis: str = Field(max_length=300)
    due_date: dt.date
    project: str = Field(max_length=200, description="BZ-5.1.1.3(a) six ones: the project.")
    plan: str = Field(max_length=20000)
    responsible_leader: str = Field(max_length=100)
    working_group: str = Field(max_length=300)
    timetable: str = Field(max_length=20000)
    targets: list[TargetIn] = Field(max_length=200)
    access_item_id: int | None = Field(None, description="Item of the county's access list (CZ-IV.6#2).")
    support_staff: str = Field("", max_length=300, description="Staff that come with an assisted item.")
    support_funding_fen: int = Field(0, ge=0, description="Funding that comes with it, in fen.")


class SplitIn(Strict):
    targets: list[TargetIn] = Field(max_length=200)
    note: str = Field("", max_length=5000)


class ProgressIn(Strict):
    percent: int = Field(ge=0, le=100)
    text: str = Field(max_length=5000)


class DirectiveOut(Schema):
    id: int
    node_id: int
    node_name: str
    title: str
    due_date: dt.date
    percent: int
    completed: bool
    overdue: int = Field(description="Open assignments past their deadline in the whole cascade.")


class AssignmentOut(Schema):
    id: int
    node_id: int
    node_name: str
    parent_id: int | None
    due_date: dt.date
    state: State
    percent: int = Field(description="Rolled up from the units under it while it is open.")
    overdue: bool
    overdue_below: int
    may_act: bool
    steps: list[str]


class FileOut(Schema):
    id: int
    name: str
    url: str = Field(description="GET it (the API's download of the file).")


class DirectiveDetail(DirectiveOut):
    content: str
    basis: str
    project: str
    plan: str
    responsible_leader: str
    working_group: str
    timetable: str
    access_item_id: int | None
    support_staff: str
    support_funding_fen: int
    attachments: list[str] = Field(description="The directive's file names (see `files` to download them).")
    files: list[FileOut]
    assignments: list[AssignmentOut]


class DirectivePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DirectiveOut]


class AccessItemOut(Schema):
    id: int
    code: str
    title: str
    kind: ItemKind
    basis: str


def _out(d: Directive, s: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "node_id": d.node_id,
        "node_name": d.node.name,
        "title": d.title,
        "due_date": d.due_date,
        "percent": s.percent,
        "completed": s.completed,
        "overdue": s.overdue,
    }


def _flatten(branches: list[selectors.Branch]) -> list[dict[str, Any]]:
    out = []
    for b in branches:
        a = b.assignment
        out.append(
            {
                "id": a.pk,
                "node_id": a.node_id,
                "node_name": a.node.name,
                "parent_id": a.parent_id,
                "due_date": a.due_date,
                "state": a.state,
                "percent": b.rolled.percent,
                "overdue": b.rolled.overdue,
                "overdue_below": b.rolled.overdue_below,
                "may_act": b.may_act,
                "steps": b.steps,
            }
        )
        out.extend(_flatten(b.children))
    return out


def _file_url(d: Directive, attachment_id: int) -> str:
    return f"/api/v1/directives/{d.pk}/files/{attachment_id}"


def _detail(request: HttpRequest, d: Directive) -> dict[str, Any]:
    branches, s = selectors.cascade(request.user, d)
    files = list(d.attachments.filter(report__isnull=True).order_by("pk"))
    fields = ("content", "basis", "project", "plan", "responsible_leader", "working_group", "timetable")
    return {
        **_out(d, s),
        **{f: getattr(d, f) for f in fields},
        "access_item_id": d.access_item_id,
        "support_staff": d.support_staff,
        "support_funding_fen": d.support_funding_fen,
        "attachments": [a.name for a in files],
        "files": [{"id": a.pk, "name": a.name, "url": _file_url(d, a.pk)} for a in files],
        "assignments": _flatten(branches),
    }


def _targets(request: HttpRequest, targets: list[TargetIn]) -> list[services.Target]:
    return [
        services.Target(access.node_get_for(request.user, t.node_id, name_only_ok=True), t.due_date)
        for t in targets
    ]


@router.get("/directives", response=with_errors({200: DirectivePage}), summary="Directives the caller sees")
def directives_list(request: HttpRequest, paging: Query[PageParams]) -> dict[str, Any]:
    def render(directives: list[Directive]) -> list[dict[str, Any]]:
        sums = selectors.directive_summaries(directives)
        return [_out(d, sums[d.pk]) for d in directives]

    return page_batch(selectors.directives_visible_to(request.user), paging, render)


@router.post("/directives", response=with_errors({201: DirectiveDetail}), summary="Issue a directive")
def directive_issue(request: HttpRequest, payload: DirectiveIn) -> Status[dict[str, Any]]:
    node = selectors.issue_node_for(request.user, payload.node_id)
    values = payload.model_dump(exclude={"node_id", "targets", "access_item_id"})
    directive = services.directive_issue(
        actor=request.user,
        node=node,
        targets=_targets(request, payload.targets),
        access_item=selectors.access_item_for(node, payload.access_item_id),
        **values,
    )
    return Status(201, _detail(request, directive))


@router.get("/directives/{directive_id}", response=with_errors({200: DirectiveDetail}), summary="A directive")
def directive_get(request: HttpRequest, directive_id: int) -> dict[str, Any]:
    return _detail(request, selectors.directive_get_for(request.user, directive_id))


def _step_path(step: str) -> str:
    return f"/directives/{{directive_id}}/assignments/{{assignment_id}}/{step}"


@router.post(_step_path("acknowledge"), response=with_errors({200: DirectiveDetail}), summary="Acknowledge")
def assignment_acknowledge(request: HttpRequest, directive_id: int, assignment_id: int) -> dict[str, Any]:
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    services.assignment_acknowledge(actor=request.user, assignment=row)
    return _detail(request, row.directive)


@router.post(
    _step_path("split"), response=with_errors({200: DirectiveDetail}), summary="Split for units below"
)
def assignment_split(
    request: HttpRequest, directive_id: int, assignment_id: int, payload: SplitIn
) -> dict[str, Any]:
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    services.assignment_split(
        actor=request.user, assignment=row, targets=_targets(request, payload.targets), note=payload.note
    )
    return _detail(request, row.directive)


@router.post(_step_path("progress"), response=with_errors({200: DirectiveDetail}), summary="Report progress")
def assignment_progress(
    request: HttpRequest, directive_id: int, assignment_id: int, payload: ProgressIn
) -> dict[str, Any]:
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    services.assignment_report(actor=request.user, assignment=row, percent=payload.percent, text=payload.text)
    return _detail(request, row.directive)


@router.post(
    _step_path("report"),
    response=with_errors({200: DirectiveDetail}),
    summary="Report progress with files (multipart)",
)
def assignment_report_files(
    request: HttpRequest,
    directive_id: int,
    assignment_id: int,
    percent: Form[int],
    text: Form[str],
    files: File[list[UploadedFile]],
) -> dict[str, Any]:
    """The same as …/progress, as a multipart form with the files that show the work (photos, lists)."""
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    services.assignment_report(actor=request.user, assignment=row, percent=percent, text=text, files=files)
    return _detail(request, row.directive)


@router.post(
    "/directives/{directive_id}/files",
    response=with_errors({201: DirectiveDetail}),
    summary="Attach files to a directive (multipart; the issuing unit)",
)
def directive_attach(
    request: HttpRequest, directive_id: int, files: File[list[UploadedFile]]
) -> Status[dict[str, Any]]:
    directive = selectors.directive_get_for(request.user, directive_id)
    services.directive_attach(actor=request.user, directive=directive, files=files)
    return Status(201, _detail(request, directive))


FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The file as it was uploaded.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/directives/{directive_id}/files/{attachment_id}",
    response=with_errors({}),
    openapi_extra=FILE_RESPONSE,
    summary="Download a directive's file",
)
def directive_file(request: HttpRequest, directive_id: int, attachment_id: int) -> FileResponse:
    found = selectors.attachment_get_for(request.user, directive_id, attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@router.post(_step_path("complete"), response=with_errors({200: DirectiveDetail}), summary="Complete")
def assignment_complete(request: HttpRequest, directive_id: int, assignment_id: int) -> dict[str, Any]:
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    services.assignment_complete(actor=request.user, assignment=row)
    return _detail(request, row.directive)


@router.get(
    "/nodes/{node_id}/access-list",
    response=with_errors({200: list[AccessItemOut]}),
    summary="The county's access list in force at a node",
)
def access_list(request: HttpRequest, node_id: int) -> list[dict[str, Any]]:
    node = access.node_get_for(request.user, node_id)
    return [
        {"id": i.pk, "code": i.code, "title": i.title, "kind": i.kind, "basis": i.basis}
        for i in selectors.access_items_for(node)
    ]


class AccessItemIn(Strict):
    code: str = Field(max_length=20)
    title: str = Field(max_length=200)
    kind: ItemKind
    basis: str = Field("", max_length=300)


@router.post(
    "/nodes/{node_id}/access-list",
    response=with_errors({201: AccessItemOut}),
    summary="Add an item to the county's access list (the county's officers)",
)
def access_item_add(request: HttpRequest, node_id: int, payload: AccessItemIn) -> Status[dict[str, Any]]:
    node = access.node_get_for(request.user, node_id)
    if not (node.level == "district" and selectors.may_issue_at(request.user, node)):
        raise access.forbidden()
    i = services.access_item_create(actor=request.user, county=node, **payload.model_dump())
    return Status(201, {"id": i.pk, "code": i.code, "title": i.title, "kind": i.kind, "basis": i.basis})


class DispatchOut(Schema):
    unit: str
    directive_id: int
    directive: str
    issued_by: str
    due_date: dt.date
    state: str
    percent: int
    overdue: bool


class AssessmentOut(Schema):
    unit: str
    due: int
    on_time: int
    late: int
    overdue_open: int
    pending: int
    on_time_rate: str | None = Field(description='Exact fraction "on_time/counted", or null if nothing due.')
    appeals_available: bool = Field(description="True: the appeal figures below are counted.")
    appeals_resolved: int = Field(0, description="Appeals submitted in the quarter under the unit, resolved.")
    appeals_resolved_at_or_below: int = Field(
        0, description="Of those, resolved at the unit's level or below."
    )
    satisfaction_mean: str | None = Field(
        None, description="Mean rating (5-point scale, §5 #27), 2 decimals."
    )
    satisfaction_rated: int = 0
    satisfaction_no_response: int = Field(0, description="Closed as 'no response': not a rating.")


class MonthIn(Schema):
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)


class QuarterIn(Schema):
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)


@router.get(
    "/directives-reports/dispatch",
    response=with_errors({200: list[DispatchOut]}),
    summary="Monthly dispatch (BZ-7.2)",
)
def report_dispatch(request: HttpRequest, when: Query[MonthIn]) -> list[dict[str, Any]]:
    rows = reports.monthly_dispatch(request.user, when.year, when.month, timezone.localdate())
    return [
        {
            "unit": r.unit,
            "directive_id": r.directive_id,
            "directive": r.directive,
            "issued_by": r.issued_by,
            "due_date": r.due_date,
            "state": r.state,
            "percent": r.percent,
            "overdue": r.overdue,
        }
        for r in rows
    ]


def _appeals_out(appeals: Any) -> dict[str, Any]:
    from gongzhi.oversight.metrics import decimal_text

    if appeals is None:
        return {"appeals_available": False}
    sat = appeals.satisfaction
    return {
        "appeals_available": True,
        "appeals_resolved": appeals.resolved,
        "appeals_resolved_at_or_below": appeals.resolved_here,
        "satisfaction_mean": None if sat.mean is None else decimal_text(sat.mean, 2),
        "satisfaction_rated": sat.rated,
        "satisfaction_no_response": sat.no_response,
    }


@router.get(
    "/directives-reports/assessment",
    response=with_errors({200: list[AssessmentOut]}),
    summary="Quarterly assessment per unit (BZ-7.2)",
)
def report_assessment(request: HttpRequest, when: Query[QuarterIn]) -> list[dict[str, Any]]:
    rows = reports.quarterly_assessment(request.user, when.year, when.quarter, timezone.localdate())
    return [
        {
            "unit": r.unit,
            "due": r.result.due,
            "on_time": r.result.on_time,
            "late": r.result.late,
            "overdue_open": r.result.overdue_open,
            "pending": r.result.pending,
            "on_time_rate": None if r.result.rate is None else str(r.result.rate),
            **_appeals_out(r.appeals),
        }
        for r in rows
    ]
