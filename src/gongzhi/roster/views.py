"""Roster pages: upload (→ background job), the job page that polls, template download.

Importing is for those who register homes (gongzhi.access: community workers), into their own communities.
Exports of filled rosters are requested and approved in gongzhi.exports; the old export address redirects there.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can
from gongzhi.access.selectors import nodes_where
from gongzhi.core.errors import NotFound
from gongzhi.roster import runner, selectors, services
from gongzhi.roster.errors import RowError

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, Kind.DWELLING, Action.CHANGE):  # only those who register homes
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404 from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file (.xlsx or .csv)"))
    create_structure = forms.BooleanField(
        label=_("Create missing compounds, buildings and stairwells"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx workbook or a .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.import_job_create(
            actor=request.user,
            upload=form.cleaned_data["file"],
            create_structure=form.cleaned_data["create_structure"],
        )
        runner.job_start(job)
        return redirect("roster:job", job_id=job.pk)
    context = {
        "form": form,
        "jobs": selectors.jobs_visible_to(request.user)[:10],
        "communities": nodes_where(request.user, Kind.DWELLING, Action.CHANGE, selectors.communities()),
    }
    return render(request, "roster/import.html", context)


def _job_context(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = selectors.job_get_for(request.user, job_id)
    live = runner.job_progress(job.pk)
    percent = int(100 * live[1] / live[2]) if live and live[2] else None
    errors = [RowError.from_dict(e) for e in job.errors]
    return {
        "job": job,
        "live": live,
        "percent": percent,
        "errors": errors,
        "more_errors": job.counts.get("errors", 0) - len(errors),
        "changed": any(v for k, v in job.counts.items() if k not in ("rows", "errors")),
    }


@staff_required
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "roster/job.html", _job_context(request, job_id))


@staff_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The status fragment the job page polls (htmx, every second until the job is finished)."""
    return render(request, "roster/_job_status.html", _job_context(request, job_id))


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def template_download(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    services.roster_template(buffer)
    return _xlsx_response(buffer.getvalue(), "gongzhi-roster-template.xlsx")


@login_required
def export(request: HttpRequest, community_id: int) -> HttpResponse:
    """Formerly handed the roster out directly; a bulk export now needs a request with a purpose and tiered
    approval (CZ-VI.3), so this address leads to the request form, for a community the user sees in full."""
    from gongzhi.exports.selectors import node_for_request

    try:
        node_for_request(request.user, community_id)
    except NotFound as exc:
        raise Http404 from exc
    return redirect(f"{reverse('exports:new')}?node={community_id}")
