from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.tree.models import Node


class PolicyOverride(models.Model):
    """A local value for a delegated policy key on one node (catalogue §5 #39); audited, shown on the node."""

    node = models.ForeignKey(
        Node, verbose_name=_("node"), on_delete=models.PROTECT, related_name="policy_overrides"
    )
    key = models.CharField(_("policy key"), max_length=120)
    value = models.JSONField(_("value"))
    reason = models.CharField(_("reason / local decision"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("policy override")
        verbose_name_plural = _("policy overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "key"], condition=Q(withdrawn_at__isnull=True), name="override_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node}: {self.key}"
