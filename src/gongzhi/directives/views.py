"""Directive pages: the list, issuing at one's node, one directive with its cascade as a tree (completion and
overdue flags), the unit's steps (acknowledge, split, progress, complete), the county's access list and the
BZ-7.2 reports with their xlsx. Thin: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.access import selectors as access
from gongzhi.core import pdf
from gongzhi.core.errors import Forbidden, GongzhiError, NotFound, Unavailable
from gongzhi.directives import reports, selectors, services
from gongzhi.directives.models import Assignment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def directive_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Log-in required; NotFound → 404 (missing and out of scope alike), Forbidden → 403."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
    return render(request, f"directives/{template}", context, status=status)


DATE = forms.DateInput(attrs={"type": "date"})


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _add_unit_deadlines(form: forms.Form, units: Any) -> None:
    """One optional date per unit below: its own deadline (no later than the directive's, services check)."""
    for unit in units:
        form.fields[f"due_{unit.pk}"] = forms.DateField(
            label=format_lazy(_("Deadline for {unit}"), unit=unit.name), widget=DATE, required=False
        )
    names = list(form.fields)
    own = [n for n in names if n.startswith("due_")]
    rest = [n for n in names if n not in own]
    at = rest.index("units_due") + 1
    form.order_fields([*rest[:at], *own, *rest[at:]])


def _targets(data: dict[str, Any], due: Any) -> list[services.Target]:
    """The chosen units, each with its own deadline where one is given, else `due`."""
    return [services.Target(n, data.get(f"due_{n.pk}") or due) for n in data["units"]]


class DirectiveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    basis = forms.CharField(label=_("Basis"), max_length=300)
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    project = forms.CharField(label=_("Project"), max_length=200)
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=100)
    working_group = forms.CharField(label=_("Working group"), max_length=300)
    timetable = forms.CharField(label=_("Timetable"), widget=forms.Textarea(attrs={"rows": 2}))
    units = UnitsField(label=_("Give it to"), queryset=None, widget=forms.CheckboxSelectMultiple)
    units_due = forms.DateField(
        label=_("Deadline for these units"),
        widget=DATE,
        required=False,
        help_text=_("Empty: the directive's due date. A unit's own deadline below wins."),
    )
    access_item: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Access-list item"), queryset=None, required=False
    )
    support_staff = forms.CharField(label=_("Staff provided"), max_length=300, required=False)
    support_funding = forms.DecimalField(
        label=_("Funding provided (yuan)"), min_value=Decimal("0"), decimal_places=2, required=False
    )

    def __init__(self, *args: Any, node: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = selectors.child_units(node)
        _add_unit_deadlines(self, units.queryset)
        item = self.fields["access_item"]
        assert isinstance(item, forms.ModelChoiceField)
        item.queryset = selectors.access_items_for(node)


class SplitForm(forms.Form):
    units = UnitsField(label=_("Give it to"), queryset=None, widget=forms.CheckboxSelectMultiple)
    units_due = forms.DateField(label=_("Deadline for these units"), widget=DATE)
    note = forms.CharField(label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, node: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = selectors.child_units(node)
        _add_unit_deadlines(self, units.queryset)


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    text = forms.CharField(label=_("Progress made"), widget=forms.Textarea(attrs={"rows": 3}))


def _files(request: HttpRequest) -> list[Any]:
    return list(request.FILES.getlist("files"))


@directive_view
def directive_list(request: HttpRequest) -> HttpResponse:
    directives = list(selectors.directives_visible_to(request.user)[:100])
    sums = selectors.directive_summaries(directives)
    rows = [(d, sums[d.pk]) for d in directives]
    return _render(
        request, "list.html", {"rows": rows, "issue_nodes": selectors.issue_nodes_for(request.user)}
    )


def _fen(yuan: Decimal | None) -> int:
    return int((yuan or Decimal("0")) * 100)


@directive_view
def directive_create(request: HttpRequest, node_id: int) -> HttpResponse:
    node = selectors.issue_node_for(request.user, node_id)
    form = DirectiveForm(request.POST or None, node=node)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        due = data["units_due"] or data["due_date"]
        fields = ("title", "content", "basis", "due_date", "project", "plan", "responsible_leader")
        try:
            directive = services.directive_issue(
                actor=request.user,
                node=node,
                **{f: data[f] for f in fields},
                working_group=data["working_group"],
                timetable=data["timetable"],
                targets=_targets(data, due),
                access_item=data["access_item"],
                support_staff=data["support_staff"],
                support_funding_fen=_fen(data["support_funding"]),
                files=_files(request),
            )
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, str(_("The directive is issued.")))
            return redirect("directives:detail", directive_id=directive.pk)
    elif request.method == "POST":
        status = 400
    return _render(request, "create.html", {"node": node, "form": form}, status)


def _detail_context(request: HttpRequest, directive: Any) -> dict[str, Any]:
    branches, summary = selectors.cascade(request.user, directive)
    return {
        "directive": directive,
        "branches": branches,
        "summary": summary,
        "attachments": directive.attachments.filter(report__isnull=True),
        "today": timezone.localdate(),
    }


@directive_view
def directive_detail(request: HttpRequest, directive_id: int) -> HttpResponse:
    directive = selectors.directive_get_for(request.user, directive_id)
    return _render(request, "detail.html", _detail_context(request, directive))


@directive_view
def attachment(request: HttpRequest, directive_id: int, attachment_id: int) -> FileResponse:
    found = selectors.attachment_get_for(request.user, directive_id, attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


def _step(name: str, service: Callable[..., Any], done: Any) -> Callable[..., HttpResponseBase]:
    @directive_view
    def view(request: HttpRequest, directive_id: int, assignment_id: int) -> HttpResponse:
        if request.method != "POST":
            return redirect("directives:detail", directive_id=directive_id)
        row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
        try:
            service(actor=request.user, assignment=row)
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            return _render(request, "detail.html", _detail_context(request, row.directive), exc.status)
        messages.success(request, str(done))
        return redirect("directives:detail", directive_id=directive_id)

    view.__name__ = f"assignment_{name}"
    return view


assignment_acknowledge = _step("acknowledge", services.assignment_acknowledge, _("Acknowledged."))
assignment_complete = _step("complete", services.assignment_complete, _("Marked as completed."))


def _history(row: Assignment) -> Any:
    return row.reports.select_related("reported_by").prefetch_related("attachments").order_by("-reported_at")


@directive_view
def assignment_split(request: HttpRequest, directive_id: int, assignment_id: int) -> HttpResponse:
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    form = SplitForm(request.POST or None, node=row.node, initial={"units_due": row.due_date})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_split(
                actor=request.user,
                assignment=row,
                targets=_targets(data, data["units_due"]),
                note=data["note"],
            )
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, str(_("The work is passed on.")))
            return redirect("directives:detail", directive_id=directive_id)
    elif request.method == "POST":
        status = 400
    return _render(request, "split.html", {"row": row, "form": form}, status)


@directive_view
def assignment_progress(request: HttpRequest, directive_id: int, assignment_id: int) -> HttpResponse:
    row = selectors.assignment_act_for(request.user, directive_id, assignment_id)
    form = ProgressForm(request.POST or None, initial={"percent": row.percent})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_report(
                actor=request.user, assignment=row, files=_files(request), **form.cleaned_data
            )
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, str(_("Progress recorded.")))
            return redirect("directives:detail", directive_id=directive_id)
    elif request.method == "POST":
        status = 400
    return _render(request, "progress.html", {"row": row, "form": form, "history": _history(row)}, status)


@directive_view
def access_list(request: HttpRequest, node_id: int) -> HttpResponse:
    node = access.node_get_for(request.user, node_id)
    county = selectors.county_of(node)
    return _render(
        request,
        "access_list.html",
        {"node": node, "county": county, "items": selectors.access_items_for(node)},
    )


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        return default
    return value if low <= value <= high else default


def _pdf(request: HttpRequest, template: str, context: dict[str, Any], name: str) -> HttpResponse:
    """An A4 PDF of the report for the supervision meeting (BZ-7.2); 503 where the renderer is missing."""
    try:
        data = pdf.render_pdf(f"directives/{template}", context, request)
    except Unavailable as exc:
        return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain; charset=utf-8")
    return pdf.pdf_response(data, name)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@directive_view
def report_dispatch(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year, month = _int(request, "year", today.year, 2000, 2100), _int(request, "month", today.month, 1, 12)
    rows = reports.monthly_dispatch(request.user, year, month, today)
    if request.GET.get("format") == "xlsx":
        return _xlsx(reports.dispatch_xlsx(rows), f"dispatch-{year}-{month:02d}.xlsx")
    context = {"rows": rows, "year": year, "month": month}
    if request.GET.get("format") == "pdf":
        return _pdf(request, "dispatch_pdf.html", context, f"dispatch-{year}-{month:02d}.pdf")
    return _render(request, "dispatch.html", context)


@directive_view
def report_assessment(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    quarter_now = (today.month - 1) // 3 + 1
    year, quarter = _int(request, "year", today.year, 2000, 2100), _int(request, "quarter", quarter_now, 1, 4)
    rows = reports.quarterly_assessment(request.user, year, quarter, today)
    if request.GET.get("format") == "xlsx":
        return _xlsx(reports.assessment_xlsx(rows), f"assessment-{year}-Q{quarter}.xlsx")
    shown = [(r, reports.percent_text(r.result.rate)) for r in rows]
    context = {"rows": shown, "year": year, "quarter": quarter, "not_available": reports.not_available()}
    if request.GET.get("format") == "pdf":
        return _pdf(request, "assessment_pdf.html", context, f"assessment-{year}-Q{quarter}.pdf")
    return _render(request, "assessment.html", context)
