"""Pages for bulk exports: request (from a node page), my requests, requests awaiting my approval, one request
with its steps (approve, reject with a note, withdraw, download). Thin: selectors read, services write.

Errors from the services are shown on the page in the user's language with their 4xx status; a missing or
not-yours request is a 404 like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import GongzhiError, InvalidInput, NotFound
from gongzhi.exports import approval, presenting, selectors, services
from gongzhi.exports.forms import DecisionForm, RequestForm
from gongzhi.exports.models import ExportRequest

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 30


def _get(request: HttpRequest, request_id: int) -> ExportRequest:
    try:
        return selectors.request_get_for(request.user, request_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _list(request: HttpRequest, qs: Any) -> Any:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.cards = [presenting.card(r) for r in page]  # type: ignore[attr-defined]
    return page


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    context = {
        "page": _list(request, selectors.requests_of(request.user)),
        "may_request": selectors.may_request_somewhere(request.user),
    }
    return render(request, "exports/mine.html", context)


@login_required
def awaiting(request: HttpRequest) -> HttpResponse:
    context = {
        "page": _list(request, selectors.requests_awaiting(request.user)),
        "decided": [presenting.card(r) for r in selectors.requests_decided_by(request.user)[:20]],
    }
    return render(request, "exports/awaiting.html", context)


def _node_id(request: HttpRequest) -> int:
    raw = request.POST.get("node") or request.GET.get("node") or ""
    if not raw.isdigit():
        raise Http404(str(_("No such unit.")))
    return int(raw)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """The request form for one unit (the node page links here with ?node=)."""
    try:
        node = selectors.node_for_request(request.user, _node_id(request))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    form = RequestForm(request.POST or None)
    context: dict[str, Any] = {"node": node, "unit": selectors.unit_label(node), "form": form}
    try:
        role = selectors.requesting_role(request.user, node)
    except GongzhiError as exc:  # the unit is theirs to see but not to export: say why, show no form
        messages.error(request, str(exc))
        return render(request, "exports/new.html", {**context, "allowed": False}, status=exc.status)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise InvalidInput(_("Please correct the marked fields."), code="form_invalid")
            created = services.export_request_create(actor=request.user, node=node, **form.cleaned_data)
            messages.success(request, _("Your request was sent for approval."))
            return redirect("exports:detail", request_id=created.pk)
        except GongzhiError as exc:  # shown above the form, which keeps what was typed
            messages.error(request, str(exc))
            status = exc.status
    context.update(
        allowed=True,
        role_label=presenting.role_label(role),
        approver_label=presenting.role_label(approval.approver_role(role)),
        valid_days=services.valid_days(node),
    )
    return render(request, "exports/new.html", context, status=status)


def _detail(
    request: HttpRequest, export: ExportRequest, *, status: int = 200, form: Any = None
) -> HttpResponse:
    context = {**presenting.detail(request.user, export), "form": form or DecisionForm()}
    return render(request, "exports/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, _get(request, request_id))


def _step(
    request: HttpRequest, request_id: int, run: Callable[[ExportRequest, str], Any], done: Any
) -> HttpResponse:
    export = _get(request, request_id)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("The note is too long."), code="note_too_long")
        run(export, form.cleaned_data["note"])
    except NotFound as exc:  # seen (e.g. as its past decider) but not a party to this step: as if missing
        raise Http404(str(exc)) from exc
    except GongzhiError as exc:
        messages.error(request, str(exc))
        export.refresh_from_db()
        return _detail(request, export, status=exc.status, form=form)
    messages.success(request, done)
    return redirect("exports:detail", request_id=export.pk)


@require_POST
@login_required
def approve(request: HttpRequest, request_id: int) -> HttpResponse:
    def run(export: ExportRequest, note: str) -> Any:
        return services.export_request_approve(actor=request.user, request=export, note=note)

    return _step(request, request_id, run, _("The export was approved."))


@require_POST
@login_required
def reject(request: HttpRequest, request_id: int) -> HttpResponse:
    def run(export: ExportRequest, note: str) -> Any:
        return services.export_request_reject(actor=request.user, request=export, note=note)

    return _step(request, request_id, run, _("The request was rejected."))


@require_POST
@login_required
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    def run(export: ExportRequest, note: str) -> Any:
        return services.export_request_withdraw(actor=request.user, request=export)

    return _step(request, request_id, run, _("The request was withdrawn."))


@require_POST
@login_required
def download(request: HttpRequest, request_id: int) -> HttpResponse:
    """POST, not GET: each download makes a new watermarked file and an audit entry (no prefetching)."""
    export = _get(request, request_id)
    try:
        made = services.export_download(actor=request.user, request=export)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except GongzhiError as exc:
        messages.error(request, str(exc))
        export.refresh_from_db()
        return _detail(request, export, status=exc.status)
    return xlsx_response(made)


def xlsx_response(made: services.ExportFile) -> HttpResponse:
    response = HttpResponse(made.content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in a browser or proxy cache
    return response
