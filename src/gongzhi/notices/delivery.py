"""Delivery of notices beyond the app: email (when configured) and SMS (for the kinds the settings name).

Runs after the transaction that wrote the notices commits, with their ids only. Each channel of each notice is
tried on its own and a failure is logged, never raised: the change that caused the notice is already
committed and must not turn into an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from gongzhi.notices.messages import render
from gongzhi.notices.models import Notice, Preference
from gongzhi.notices.sms import send_sms

logger = logging.getLogger("gongzhi.notices")


def email_enabled() -> bool:
    return bool(getattr(settings, "GONGZHI_EMAIL_ENABLED", False))


def sms_kinds() -> frozenset[str]:
    return frozenset(getattr(settings, "GONGZHI_SMS_KINDS", ()))


def deliver_after_commit(notice_ids: Sequence[int], kind: str) -> None:
    """Schedule delivery of these notices (all of `kind`) once the current transaction commits (now, outside
    one); nothing at all when neither channel could carry them."""
    if not email_enabled() and kind not in sms_kinds():
        return
    ids = list(notice_ids)
    transaction.on_commit(lambda: deliver(ids))


def notice_url(notice: Notice) -> str:
    if not notice.url_name:
        return ""
    try:
        return reverse(notice.url_name, args=notice.url_args)
    except NoReverseMatch:
        return ""


def phone_of(user: Any) -> str:
    account = getattr(user, "account", None)
    person = getattr(account, "person", None) if account is not None else None
    return (getattr(person, "phone", "") or "").strip()


def deliver(notice_ids: Sequence[int]) -> None:
    """Email and SMS for each notice, as the settings and the recipient's preference allow."""
    notices = list(
        Notice.objects.filter(pk__in=notice_ids).select_related("recipient", "recipient__account__person")
    )
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=[n.recipient_id for n in notices])}
    kinds = sms_kinds()
    for notice in notices:
        pref = prefs.get(notice.recipient_id)
        with translation.override(settings.LANGUAGE_CODE):
            text = render(notice.message, notice.params)
            title = gettext("Gongzhi notice")
        if email_enabled() and notice.recipient.email and (pref is None or pref.email):
            _safely("email", notice, _email, notice, title, text)
        if notice.kind in kinds and (pref is None or pref.sms):
            phone = phone_of(notice.recipient)
            if phone:
                _safely("sms", notice, _sms, notice, phone, f"【{title}】{text}")


def _email(notice: Notice, title: str, text: str) -> None:
    url = notice_url(notice)
    base = getattr(settings, "GONGZHI_BASE_URL", "").rstrip("/")
    body = f"{text}\n\n{base}{url}\n" if url else f"{text}\n"
    send_mail(f"{title}: {text[:60]}", body, None, [notice.recipient.email])


def _sms(notice: Notice, phone: str, text: str) -> None:
    send_sms(phone=phone, text=text, recipient=notice.recipient, notice=notice)


def _safely(channel: str, notice: Notice, send: Callable[..., None], *args: Any) -> None:
    try:
        send(*args)
    except Exception:  # a gateway's failure of any kind: logged, the notice stays in the app
        logger.exception("notice %s: %s delivery failed", notice.pk, channel)
