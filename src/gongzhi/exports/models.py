"""A request to export personal data in bulk (CZ-VI.3): purpose, tiered approval, downloads.

The lifecycle (states, who acts, guards) is declared once in exports.approval; this model only stores where a
request is, with the constraints that must hold whatever code writes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ROLE_LABELS
from gongzhi.accounts.roles import Role
from gongzhi.exports.approval import REQUESTING_ROLES, Status
from gongzhi.tree.models import Node

STATUS_LABELS = {
    Status.REQUESTED: _("awaiting approval"),
    Status.APPROVED: _("approved"),
    Status.REJECTED: _("rejected"),
    Status.WITHDRAWN: _("withdrawn"),
    Status.DOWNLOADED: _("downloaded"),
}


class ExportKind(models.TextChoices):
    """What is exported. Each kind has a writer in exports.kinds; more kinds can be added there."""

    ROSTER = "roster", _("roster of dwellings and people")


class ExportRequest(models.Model):
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    # The role the request was made in: it decides who approves (exports.approval.APPROVER_OF).
    requester_role = models.CharField(
        _("requester's role"),
        max_length=40,
        choices=[(r.value, ROLE_LABELS[r]) for r in Role if r.value in REQUESTING_ROLES],
    )
    node = models.ForeignKey(
        Node, verbose_name=_("unit exported"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=20, choices=ExportKind.choices, default=ExportKind.ROSTER)
    purpose = models.TextField(_("purpose"))
    # Data minimisation (LAW-PIPL art. 6): ID numbers and phones are masked in the file unless the request
    # asks for them and the approver approves that.
    clear_identifiers = models.BooleanField(_("full ID numbers and phones"), default=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[(s.value, STATUS_LABELS[s]) for s in Status],
        default=Status.REQUESTED,
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When the request left "requested": approved, rejected or withdrawn.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    expires_at = models.DateTimeField(_("approval valid until"), null=True, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(_("last downloaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="export_status_known"
            ),
            # Nobody approves (or rejects) their own request.
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("requester")),
                name="export_not_self_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.APPROVED, Status.DOWNLOADED, Status.REJECTED])
                | Q(approver__isnull=False, decided_at__isnull=False),
                name="export_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.APPROVED, Status.DOWNLOADED]) | Q(expires_at__isnull=False),
                name="export_approval_expires",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-requested_at"], name="export_requester"),
            models.Index(fields=["status", "requester_role"], name="export_status_role"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The request number printed in the watermark and shown on the pages."""
        return f"DC{self.pk:06d}" if self.pk else "DC-"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[Status(self.status)])
