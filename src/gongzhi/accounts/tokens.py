"""Personal API tokens: create (plaintext returned once), revoke, and authenticate a bearer token."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ApiToken

__all__ = ["ApiToken", "api_token_create", "api_token_revoke", "api_token_user", "api_tokens_of"]
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import InvalidInput, NotFound

TOKEN_PREFIX = "gz_"
PREFIX_SHOWN = 10


def token_digest(plaintext: str) -> str:
    # Tokens are 256-bit random, so a fast hash is enough (no salt or slow KDF needed, as for API keys).
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for the acting user; returns it with the plaintext, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise InvalidInput(
            _("Give the token a name, e.g. the program that will use it."), code="name_required"
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name[:80], prefix=plaintext[:PREFIX_SHOWN], token_hash=token_digest(plaintext)
    )
    audit_record(
        actor=actor,
        action="accounts.token_created",
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    """Revoke one of the acting user's own tokens (another user's answers like a missing one)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound(_("No such token."), code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="accounts.token_revoked",
            obj=token,
            before={"revoked": False},
            after={"revoked": True},
        )
    return token


def api_tokens_of(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


def api_token_user(plaintext: str) -> Any | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, or user inactive)."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = (
        # The account and its person come along: most API calls by residents ask who they are (one query, not 3).
        ApiToken.objects.select_related("user__account__person")
        .filter(token_hash=token_digest(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not an audited change
    return token.user
