"""Personal API tokens: list, create (the plaintext is answered once), revoke. Session log-in only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gongzhi.accounts import tokens
from gongzhi.api.auth import session_auth
from gongzhi.api.errors import with_errors

# A token cannot mint or revoke tokens: managing them needs the browser session (and its CSRF check), past its
# second factor where the user has or needs one (so a stolen password alone cannot mint a token).
router = Router(auth=session_auth)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str


class TokenCreated(TokenOut):
    token: str


@router.get("/tokens", response=with_errors({200: list[TokenOut]}), summary="Your personal API tokens")
def token_list(request: HttpRequest) -> list[tokens.ApiToken]:
    return tokens.api_tokens_of(request.user)


@router.post(
    "/tokens", response=with_errors({201: TokenCreated}), summary="Create a personal API token (shown once)"
)
def token_create(request: HttpRequest, data: TokenIn) -> Status:
    token, plaintext = tokens.api_token_create(actor=request.user, name=data.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": plaintext})


@router.post(
    "/tokens/{token_id}/revoke", response=with_errors({200: TokenOut}), summary="Revoke one of your tokens"
)
def token_revoke(request: HttpRequest, token_id: int) -> tokens.ApiToken:
    return tokens.api_token_revoke(actor=request.user, token_id=token_id)
