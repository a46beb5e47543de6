"""Oversight pages (issue 4 §3): a node's dashboards for a period, with the charts and the same figures in
tables, and the street's weekly meeting agenda (printable, and as PDF). Thin: selectors read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.core import pdf
from gongzhi.core.errors import Forbidden, InvalidInput, NotFound, Unavailable
from gongzhi.oversight import metrics, presentation, selectors
from gongzhi.oversight.periods import meeting_from, period_from


def oversight_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; NotFound → 404 (missing and out of scope alike), Forbidden → 403."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"oversight/{template}", context, status=status)


@oversight_view
def home(request: HttpRequest) -> HttpResponse:
    """Where a staff member's dashboards start: the nodes of their scopes."""
    nodes = list(selectors.dashboard_home_nodes(request.user)[:50])
    return _render(request, "home.html", {"nodes": nodes})


def _period_params(request: HttpRequest) -> dict[str, str]:
    get = request.GET
    return {"kind": get.get("period", ""), "start": get.get("from", ""), "end": get.get("to", "")}


@oversight_view
def node_dashboard(request: HttpRequest, node_id: int) -> HttpResponse:
    node = selectors.dashboard_node_for(request.user, node_id)
    params = _period_params(request)
    try:
        period = period_from(params["kind"], params["start"], params["end"], request.GET.get("at", ""))
    except InvalidInput as exc:
        error, status = str(exc.message), 400
        period = period_from()
    else:
        error, status = "", 200
    out = presentation.dashboard_out(selectors.dashboard(node, period))
    context = {
        "node": node,
        "d": out,
        "charts": presentation.charts(out),
        "error": error,
        "kinds": [(k, presentation.period_kind_label(k)) for k in metrics.PERIOD_KINDS],
        "is_street": node.level == "street",
    }
    return _render(request, "dashboard.html", context, status)


@oversight_view
def street_agenda(request: HttpRequest, node_id: int) -> HttpResponse:
    street = selectors.agenda_street_for(request.user, node_id)
    try:
        meeting = meeting_from(request.GET.get("week", ""), selectors.meeting_weekday(street))
    except InvalidInput as exc:
        return _render(request, "agenda.html", {"node": street, "error": str(exc.message)}, 400)
    items = presentation.agenda_out(selectors.weekly_agenda(street, meeting))
    iso = meeting.isocalendar()
    context = {"node": street, "meeting": meeting, "items": items, "week": f"{iso[0]}-W{iso[1]:02d}"}
    if request.GET.get("format") == "pdf":
        try:
            data = pdf.render_pdf("oversight/agenda_pdf.html", context, request)
        except Unavailable as exc:
            return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain; charset=utf-8")
        return pdf.pdf_response(data, f"agenda-{street.pk}-{meeting.isoformat()}.pdf")
    return _render(request, "agenda.html", context)
