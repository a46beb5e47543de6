"""API authentication: the browser's session (with CSRF) or a personal token (`Authorization: Bearer gz_…`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from gongzhi.accounts.tokens import api_token_user


class PersonalToken(HttpBearer):
    """A bearer token acts as its user, within that user's active role assignments."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user  # services take actor=request.user
        return user


personal_token = PersonalToken()
API_AUTH = [personal_token, django_auth]
