"""The second factor at log-in (issue 3 §4): a session that still owes one reaches nothing else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from gongzhi.accounts.two_factor import second_factor_pending

# Where a session that owes a code ("verify") or an authenticator ("setup") may still go.
ALLOWED = {"verify": ("web:second_factor", "web:logout"), "setup": ("web:security", "web:logout")}


class SecondFactorMiddleware:
    """After OTPMiddleware: sends such a session to the code page or to the security page (to set one up).

    The API is left to its session authentication (api.auth), which answers JSON; a personal token never
    depends on a session. Static files stay reachable so those two pages render."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/i18n/", settings.STATIC_URL)):
            return self.get_response(request)
        pending = second_factor_pending(request.user)
        if pending is None:
            return self.get_response(request)
        allowed = [reverse(name) for name in ALLOWED[pending]]
        if request.path in allowed:
            return self.get_response(request)
        target = allowed[0]
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
