"""The one notification centre (issue 4 §3): a notice to one user about one object of any app, what each user
wants besides the in-app notice (email, SMS), and the SMS the logging backend recorded.

A notice stores a message code and its parameters, never a rendered sentence: the text is drawn at display
time in the reader's language (notices.messages). Data and invariants only; writes go through
notices.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What happened, for filtering and the SMS policy: "<app>.<event>", e.g. "appeals.alert".
    kind = models.CharField(_("kind"), max_length=60)
    # The object it is about: "<app label>.<model>" and its id (a generic reference, no foreign key).
    subject_type = models.CharField(max_length=60)
    subject_id = models.PositiveBigIntegerField()
    message = models.CharField(max_length=60)  # a code of notices.messages.MESSAGES
    params = models.JSONField(default=dict)
    url_name = models.CharField(max_length=100, blank=True, default="")
    url_args = models.JSONField(default=list)
    # Set for notices that must be left once only (a reminder): a second notify() with it adds nothing.
    once_key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_newest"),
            # The unread badge on every page: a count over this partial index only.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"),
            models.Index(fields=["subject_type", "subject_id"], name="notice_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "once_key"], condition=~Q(once_key=""), name="notice_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.subject_type}#{self.subject_id}"


class Preference(models.Model):
    """Channels besides the in-app notice a user accepts (no row: both on, where configured)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField(_("by email"), default=True)
    sms = models.BooleanField(_("by SMS"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} email={self.email} sms={self.sms}"


class SmsLog(models.Model):
    """One SMS handed to the logging backend (GONGZHI_SMS_BACKEND's default): the number masked only."""

    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone_masked = models.CharField(max_length=20)
    text = models.CharField(max_length=500)
    backend = models.CharField(max_length=200)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.text[:20]}"
