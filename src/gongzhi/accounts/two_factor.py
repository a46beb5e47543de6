"""TOTP second factor (django-otp): optional for staff, required before revealing personal data (issue 3 §4)."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import InvalidInput

DEVICE_NAME = "gongzhi"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def manual_key(device: TOTPDevice) -> str:
    """The secret as base32, for typing into an authenticator app."""
    return b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_setup_start(*, actor: Any) -> TOTPDevice:
    """A new, unconfirmed authenticator for the acting user (replacing an unconfirmed one)."""
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
    """Verify this session with a code from the user's confirmed authenticator."""
    device = confirmed_device(request.user)
    if device is None or not device.verify_token(token.strip()):
        raise InvalidInput(
            _("That code is not right. Check the time on your phone and try again."), code="otp_invalid"
        )
    otp_login(request, device)


def is_verified(user: Any) -> bool:
    """Whether this request's user confirmed their second factor in this session (tokens never are)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())
