from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyRotation(models.Model):
    """One run of `gongzhi rotate-key`: the keys it moved values to and how many; the audit entry's object."""

    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    data_key_id = models.CharField(_("data key"), max_length=6)
    lookup_key_id = models.CharField(_("lookup key"), max_length=6)
    rows_checked = models.PositiveBigIntegerField(default=0)
    values_resealed = models.PositiveBigIntegerField(default=0)
    hashes_recomputed = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("key rotation")
        verbose_name_plural = _("key rotations")

    def __str__(self) -> str:
        return f"{self.data_key_id}/{self.lookup_key_id} {self.started_at:%Y-%m-%d %H:%M}"
