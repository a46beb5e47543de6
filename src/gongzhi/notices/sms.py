"""The SMS interface: one function the notification centre calls, one pluggable backend behind it.

`GONGZHI_SMS_BACKEND` (a dotted path to a class) chooses the backend; the default, `LoggingSmsBackend`, sends
nothing: it records each message (an SmsLog row and a log line, the phone number masked) so that a real
gateway can be plugged in later by writing a class with the same `send` method.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.people.masking import mask_phone

DEFAULT_BACKEND = "gongzhi.notices.sms.LoggingSmsBackend"
logger = logging.getLogger("gongzhi.notices.sms")


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str, recipient: Any = None, notice: Any = None) -> None:
        """Send `text` to `phone` (a mainland mobile number); raise on failure."""


class LoggingSmsBackend:
    """Records instead of sending: an SmsLog row and a log line, neither with the clear number."""

    def send(self, *, phone: str, text: str, recipient: Any = None, notice: Any = None) -> None:
        from gongzhi.notices.models import SmsLog

        masked = mask_phone(phone)
        SmsLog.objects.create(
            notice=notice,
            recipient=recipient,
            phone_masked=masked,
            text=text[:500],
            backend=DEFAULT_BACKEND,
            sent_at=timezone.now(),
        )
        logger.info("SMS to %s: %s", masked, text)


def backend_path() -> str:
    return getattr(settings, "GONGZHI_SMS_BACKEND", "") or DEFAULT_BACKEND


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(backend_path())()
    return backend


def send_sms(*, phone: str, text: str, recipient: Any = None, notice: Any = None) -> None:
    get_backend().send(phone=phone, text=text, recipient=recipient, notice=notice)
