"""Open311 GeoReport v2 endpoints (issue 4 §3), thin: open311.selectors read, open311.submit writes through
appeals.cases.appeal_submit. The caller is the api_key's user or nobody: a browser session is not used here,
so no request is ever made on someone's behalf by a cross-site form (hence no CSRF check)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.errors import GongzhiError
from gongzhi.open311 import catalogue, selectors
from gongzhi.open311.errors import Open311Error
from gongzhi.open311.formats import FORMATS, render
from gongzhi.open311.mapping import RequestMapper
from gongzhi.open311.params import parse_filter
from gongzhi.open311.submit import open311_submit

UNKNOWN_FORMAT = _("Unknown format: use .json or .xml.")
NOT_FOUND = _("Not found.")
METHOD = _("This method is not allowed here.")
BAD_BODY = _("The request body could not be read.")


def respond(fmt: str, root: str, item: str | None, records: Any, status: int = 200) -> HttpResponse:
    body, content_type = render(fmt, root, item, records)
    response = HttpResponse(body, content_type=content_type, status=status)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def open311_view(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Checks the format and method; answers every refusal in the GeoReport error format (4xx)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            shape = fmt if fmt in FORMATS else "json"
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, UNKNOWN_FORMAT, "format_unknown")
                if request.method not in methods:
                    raise Open311Error(405, METHOD, "method_not_allowed")
                return view(request, fmt, **kwargs)
            except GongzhiError as exc:
                failure = Open311Error.from_gongzhi(exc)
            except Open311Error as exc:
                failure = exc
            response = respond(shape, "errors", "error", failure.records(), failure.status)
            if failure.status == 405:
                response["Allow"] = ", ".join(methods)
            return response

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def _key(request: HttpRequest, data: dict[str, str] | None = None) -> str | None:
    return (data or {}).get("api_key") or request.GET.get("api_key")


@open311_view("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET services: every appeal category offered in the jurisdiction (all city packs in use without one)."""
    node = selectors.jurisdiction(request.GET.get("jurisdiction_id"))
    records = [catalogue.service_record(s) for s in selectors.services_at(node)]
    return respond(fmt, "services", "service", records)


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    node = selectors.jurisdiction(request.GET.get("jurisdiction_id"))
    service = selectors.service_at(node, service_code)
    return respond(fmt, "service_definition", None, catalogue.definition_record(service))


def _post_data(request: HttpRequest) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise Open311Error(400, BAD_BODY, "body_invalid") from exc
        if not isinstance(raw, dict):
            raise Open311Error(400, BAD_BODY, "body_invalid")
        flat = {k: v for k, v in raw.items() if not isinstance(v, dict)}
        for code, value in (
            (raw.get("attribute") or {}).items() if isinstance(raw.get("attribute"), dict) else ()
        ):
            flat[f"attribute[{code}]"] = value
        return {str(k): "" if v is None else str(v) for k, v in flat.items()}
    try:
        return {k: request.POST.get(k, "") for k in request.POST}
    except MultiPartParserError as exc:
        raise Open311Error(400, BAD_BODY, "body_invalid") from exc


@open311_view("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the requests the caller may follow (filters in open311.params). POST: submit one (open311.submit)."""
    if request.method == "POST":
        data = _post_data(request)
        user = selectors.caller(_key(request, data), required=True)
        record = open311_submit(actor=user, data=data)
        return respond(fmt, "service_requests", "request", [record], status=201)
    user = selectors.caller(_key(request), required=False)
    node = selectors.jurisdiction(request.GET.get("jurisdiction_id"))
    wanted = parse_filter(request.GET, timezone.now())
    cases = selectors.filtered(selectors.cases_for(user, node), wanted)
    records = RequestMapper(cases, full=user is not None, request=request).records()
    return respond(fmt, "service_requests", "request", records)


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """One request, in a list of one as the spec shows it; missing and out of sight alike: 404."""
    user = selectors.caller(_key(request), required=False)
    node = selectors.jurisdiction(request.GET.get("jurisdiction_id"))
    found = (
        selectors.cases_for(user, node).filter(pk=int(request_id)).first()
        if request_id.isdigit() and len(request_id) <= 12
        else None
    )
    if found is None:
        raise Open311Error(404, NOT_FOUND, "not_found")
    records = RequestMapper([found], full=user is not None, request=request).records()
    return respond(fmt, "service_requests", "request", records)
