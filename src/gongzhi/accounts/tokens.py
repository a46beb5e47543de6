"""Personal API tokens: create (plaintext returned once), revoke, and authenticate a bearer token."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import secrets
import threading
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ApiToken

__all__ = ["ApiToken", "api_token_create", "api_token_revoke", "api_token_user", "api_tokens_of"]
from gongzhi.audit.services import audit_record
from gongzhi.core.compiled import CompiledQuery
from gongzhi.core.errors import InvalidInput, NotFound
from gongzhi.people.models import Person

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


# The active token with its user, account and person: most API calls by residents ask who they are (one query,
# not 3). Of the person only the id and name come along: the API's calls by token use the person to find what
# is theirs (their dwellings, their roll entries), and building the whole person (opening the sealed ID number
# and phone among it) cost more than the rest of the token check; a field read later loads then.
# Compiled once (core.compiled): this runs on every API call, and compiling the four-table join cost several
# times what the database spends answering it. The hash is unique: no ORDER BY.
_PERSON_KEPT = {"id", "name"}
_PERSON_LEFT = tuple(
    f"user__account__person__{f.name}" for f in Person._meta.concrete_fields if f.name not in _PERSON_KEPT
)
# Nor what no API call by token reads of the user and the token (the session's fields, the names shown on the
# tokens page): three of them are date-times, each parsed and converted on every call.
_USER_LEFT = tuple(
    f"user__{name}" for name in ("password", "last_login", "first_name", "last_name", "email", "date_joined")
)
_TOKEN_LEFT = ("name", "prefix", "created_at")
_ACTIVE_TOKEN: CompiledQuery[ApiToken] = CompiledQuery(
    lambda token_hash: (
        ApiToken.objects.select_related("user__account__person")
        .defer(*_PERSON_LEFT, *_USER_LEFT, *_TOKEN_LEFT)
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .order_by()[:1]
    ),
    token_hash=str,
)


def api_token_user(plaintext: str) -> Any | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, or user inactive)."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = _ACTIVE_TOKEN.first(token_hash=token_digest(plaintext))
    if token is None or not token.user.is_active:
        return None
    _touch(token, timezone.now())
    return token.user


# --- "last used" bookkeeping ------------------------------------------------------------------------------------
# When a token was last used is shown to its owner to a minute's precision; it is bookkeeping, not an audited
# change. Writing it in the request would add a commit (a disk flush) to every first call of a token in a
# minute, which on a resident's token is nearly every call: it would double the cost of a small write such as
# a queued appeal (appeals.intake). So each process collects the times and writes them every TOUCH_FLUSH_SECONDS (and
# when it exits), to the minute; a crash loses at most that much bookkeeping.
TOUCH_MINUTE = 60
TOUCH_FLUSH_SECONDS = 30
TOUCH_PENDING_MAX = 1000
_pending: dict[int, dt.datetime] = {}
_pending_lock = threading.Lock()
_flushed_at = [time.monotonic()]


def _touch(token: ApiToken, now: dt.datetime) -> None:
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() <= TOUCH_MINUTE:
        return
    with _pending_lock:
        _pending[token.pk] = now
        due = time.monotonic() - _flushed_at[0] >= TOUCH_FLUSH_SECONDS or len(_pending) >= TOUCH_PENDING_MAX
    if due:
        flush_token_touches()


def flush_token_touches() -> int:
    """Write the collected "last used" times; returns how many tokens it touched. The times are kept to the
    minute, as they are shown: one UPDATE per minute they fall in (one or two), with that minute's latest."""
    with _pending_lock:
        pending = list(_pending.items())
        _pending.clear()
        _flushed_at[0] = time.monotonic()
    by_minute: dict[dt.datetime, list[int]] = {}
    latest: dict[dt.datetime, dt.datetime] = {}
    for pk, at in pending:
        minute = at.replace(second=0, microsecond=0)
        by_minute.setdefault(minute, []).append(pk)
        latest[minute] = max(at, latest.get(minute, at))
    for minute, ids in by_minute.items():
        ApiToken.objects.filter(pk__in=ids).update(last_used_at=latest[minute])
    return len(pending)


def _flush_at_exit() -> None:
    # The database may be gone at exit; bookkeeping is not worth a traceback.
    with contextlib.suppress(Exception):
        flush_token_touches()


atexit.register(_flush_at_exit)
