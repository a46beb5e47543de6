"""One JSON shape for every API error: {"code", "message", "details"}, the message in the request's language.

LocaleMiddleware has activated the request's language (Accept-Language, zh-hans by default) before the view
runs, so lazy messages from services are rendered here in that language.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongzhi.core.errors import GongzhiError

logger = logging.getLogger("gongzhi.api")


class ErrorDetail(Schema):
    field: str
    code: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


# Pydantic error types, grouped into messages a person can act on (pydantic's own texts are English only).
FIELD_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not accepted here."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_long": gettext_lazy("This text is too long."),
    "string_too_short": gettext_lazy("This text is too short."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "enum": gettext_lazy("Choose one of the allowed values."),
    "literal_error": gettext_lazy("Choose one of the allowed values."),
    "greater_than": gettext_lazy("This value is too small."),
    "greater_than_equal": gettext_lazy("This value is too small."),
    "less_than": gettext_lazy("This value is too large."),
    "less_than_equal": gettext_lazy("This value is too large."),
    "list_type": gettext_lazy("Enter a list."),
    "too_long": gettext_lazy("This list is too long."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "dict_type": gettext_lazy("Enter an object."),
}
FALLBACK_FIELD_MESSAGE = gettext_lazy("This value is not valid.")

# Codes for ninja's own HTTP errors (CSRF failure, unparsable body, ...), by status.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def error_body(code: str, message: Any, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": str(message), "details": details or []}


def _field_name(loc: tuple[Any, ...]) -> str:
    """("body", "payload", "area") -> "area"; ("query", "limit") -> "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "field": _field_name(tuple(err.get("loc", ()))),
            "code": str(err.get("type", "invalid")),
            "message": str(FIELD_MESSAGES.get(str(err.get("type")), FALLBACK_FIELD_MESSAGE)),
        }
        for err in errors
    ]


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (which answer {"detail": ...} and, in DEBUG, a stack trace)."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(GongzhiError)
    def on_gongzhi_error(request: HttpRequest, exc: GongzhiError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message))

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = validation_details(exc.errors)
        return respond(request, 422, error_body("validation_error", _("Some fields are not valid."), details))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, error_body("unauthenticated", _("Please log in.")))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = "csrf_failed" if "CSRF" in exc.message else HTTP_CODES.get(exc.status_code, "error")
        message = _("The request could not be processed.")
        if code == "csrf_failed":
            message = _("The CSRF check failed: send the X-CSRFToken header.")
        elif "parse request body" in exc.message:
            message = _("The request body is not valid JSON.")
        return respond(request, exc.status_code, error_body(code, message))

    @api.exception_handler(MultiPartParserError)
    def on_unreadable_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # Reading a malformed form body (e.g. multipart without a boundary) for the session's CSRF check.
        return respond(request, 400, error_body("bad_request", _("The request body could not be read.")))

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A concurrent write broke a unique rule that the service had checked: tell the client to retry.
        logger.warning("integrity error in API request %s: %s", request.path, exc)
        return respond(
            request, 409, error_body("conflict", _("The data changed meanwhile; please try again."))
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected error in API request %s", request.path)
        return respond(request, 500, error_body("server_error", _("An unexpected error occurred.")))


def with_errors(ok: dict[int, Any]) -> dict[int, Any]:
    """Response map for an operation: its success schema(s) plus the shared error shape."""
    return {**ok, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
