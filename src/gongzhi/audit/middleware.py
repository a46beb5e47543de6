from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gongzhi.audit.context import current_ip


class AuditRequestMiddleware:
    """Remembers the client address for the audit entries written while serving this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
