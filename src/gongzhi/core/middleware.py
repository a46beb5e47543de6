"""Security headers Django 5.2 does not set itself: a Content-Security-Policy without inline scripts."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Adds settings.GONGZHI_CSP to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = "; ".join(f"{name} {' '.join(values)}" for name, values in settings.GONGZHI_CSP.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method on a known API path with a plain-text 405; make it our JSON error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        body = {"code": "method_not_allowed", "message": _("This method is not allowed here."), "details": []}
        json_response = JsonResponse(body, status=405, json_dumps_params={"ensure_ascii": False})
        if response.has_header("Allow"):
            json_response["Allow"] = response["Allow"]
        return json_response
