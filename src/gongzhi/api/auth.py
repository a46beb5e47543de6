"""API authentication: the browser's session (with CSRF) or a personal token (`Authorization: Bearer gz_…`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth

from gongzhi.accounts.tokens import api_token_user
from gongzhi.accounts.two_factor import second_factor_pending
from gongzhi.core.errors import Forbidden


class PersonalToken(HttpBearer):
    """A bearer token acts as its user, within that user's active role assignments."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user  # services take actor=request.user
        return user


class VerifiedSession(SessionAuth):
    """The browser's session (CSRF-checked on unsafe methods), once it has passed its second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        if user is not None and second_factor_pending(user) is not None:
            raise Forbidden(
                _("Enter your authenticator code on the web site first (or set up an authenticator)."),
                code="second_factor_required",
            )
        return user


personal_token = PersonalToken()
session_auth = VerifiedSession()
API_AUTH = [personal_token, session_auth]
