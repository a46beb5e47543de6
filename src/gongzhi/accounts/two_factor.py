"""TOTP second factor (django-otp), issue 3 §4.

Required at log-in for whoever may reveal personal data (the pack's `privacy.reveal.roles`, and superusers):
such a session can do nothing else until it has entered a code, or, without an authenticator yet, set one
up. Optional for everyone else; who has set one up is asked for a code at log-in too. The check runs on
every page (accounts.middleware.SecondFactorMiddleware) and on the API's session auth (api.auth); personal
API tokens never carry a second factor (they cannot reveal), and creating one needs a verified session.
Wrong codes are throttled by django-otp (a doubling delay after each failure) and every attempt is audited.
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Forbidden, InvalidInput

DEVICE_NAME = "gongzhi"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def manual_key(device: TOTPDevice) -> str:
    """The secret as base32, for typing into an authenticator app."""
    return b32encode(device.bin_key).decode().rstrip("=")


class Throttled(InvalidInput):
    """Too many wrong codes in a row: wait before the next one."""

    status = 429


def second_factor_required(user: Any) -> bool:
    """Whether `user`'s roles let them reveal personal data, so that a session needs a second factor."""
    from gongzhi.people.privacy import may_reveal

    return bool(getattr(user, "is_authenticated", False)) and may_reveal(user)


def second_factor_pending(user: Any) -> str | None:
    """What this session must do before anything else: "verify" (enter a code), "setup" (set up an
    authenticator first: its role requires one), or None (nothing: verified, or no second factor needed)."""
    if not getattr(user, "is_authenticated", False) or is_verified(user):
        return None
    if confirmed_device(user) is not None:
        return "verify"
    return "setup" if second_factor_required(user) else None


@transaction.atomic
def totp_setup_start(*, actor: Any, verified: bool) -> TOTPDevice:
    """A new, unconfirmed authenticator for the acting user (replacing an unconfirmed one).

    Precondition: `verified`, when the user already has a confirmed authenticator, is whether this session
    passed it; otherwise a stolen password could swap in the thief's authenticator."""
    if not verified and confirmed_device(actor) is not None:
        raise Forbidden(
            _("Enter a code from your current authenticator before replacing it."),
            code="second_factor_required",
        )
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)
    audit_record(actor=actor, action="accounts.second_factor_started", obj=device, after={"confirmed": False})
    return device


@transaction.atomic
def totp_setup_confirm(*, actor: Any, request: HttpRequest, token: str) -> TOTPDevice:
    """Confirm the pending authenticator with a code from it; the session counts as verified."""
    device = pending_device(actor)
    if device is None or not device.verify_token(token.strip()):
        raise InvalidInput(
            _("That code is not right. Check the time on your phone and try again."), code="otp_invalid"
        )
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(
        actor=actor, action="accounts.second_factor_confirmed", obj=device, after={"confirmed": True}
    )
    return device


def totp_verify(*, request: HttpRequest, token: str) -> None:
    """Verify this session with a code from the user's confirmed authenticator; each attempt is audited.

    After a wrong code django-otp refuses further codes for 1, 2, 4, … seconds (OTP_TOTP_THROTTLE_FACTOR)."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise InvalidInput(_("Set up an authenticator first."), code="otp_no_device")
        allowed = device.verify_is_allowed()[0]
        ok = allowed and device.verify_token(token.strip())
        outcome = "verified" if ok else ("failed" if allowed else "throttled")
        audit_record(
            actor=user, action=f"accounts.second_factor_{outcome}", obj=device, after={"outcome": outcome}
        )
    if outcome == "throttled":
        raise Throttled(
            _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
            % {"seconds": _seconds_locked(device)},
            code="otp_throttled",
        )
    if not ok:
        raise InvalidInput(
            _("That code is not right. Check the time on your phone and try again."), code="otp_invalid"
        )
    otp_login(request, device)


def _seconds_locked(device: TOTPDevice) -> int:
    until = (device.verify_is_allowed()[1] or {}).get("locked_until")
    return max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1


def is_verified(user: Any) -> bool:
    """Whether this request's user confirmed their second factor in this session (tokens never are)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())
