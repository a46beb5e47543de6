from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change, written by the service that made it, in the same transaction (append-only, hash-chained)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The tree path of the node the object belongs to, so auditors can search "everything under node X".
    node_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    source_ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    # Hash chain (audit.chain): position, the previous entry's hash and this entry's own hash.
    seq = models.BigIntegerField(unique=True, null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    entry_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def chain_fields(self) -> tuple[object, ...]:
        """The content the hash covers, in a form that survives a database round trip."""
        return chain_fields(
            self.seq,
            self.at,
            self.actor_id,
            self.action,
            self.object_type,
            self.object_id,
            self.object_repr,
            self.node_path,
            self.before,
            self.after,
            self.source_ip,
        )


CHAIN_COLUMNS = [
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "node_path",
    "before",
    "after",
    "source_ip",
]


def chain_fields(*values: object) -> tuple[object, ...]:
    seq, at, *rest = values
    # Microsecond UTC ISO time: identical whichever database stored it.
    return (seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), *rest)  # type: ignore[attr-defined]


class AuditHead(models.Model):
    """The chain head: the last entry's seq and hash. Locked by every writer, so entries chain in order."""

    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)
    # The hash before entry_hash, set by the same UPDATE that moves the head (services._append_one_postgresql):
    # RETURNING gives only the new row before PostgreSQL 18, and the new entry needs its predecessor's hash.
    # Read nowhere else; writers that lock the head and save it themselves may leave it behind.
    prev_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq}"
