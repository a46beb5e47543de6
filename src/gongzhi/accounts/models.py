from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role
from gongzhi.people.models import Person
from gongzhi.tree.models import Dwelling, Grid, Node

ROLE_LABELS = {
    Role.DISTRICT_OFFICER: _("district officer"),
    Role.STREET_OFFICER: _("street officer"),
    Role.COMMUNITY_WORKER: _("community worker"),
    Role.GRID_LEADER: _("grid leader"),
    Role.GRID_WORKER: _("grid worker"),
    Role.BUILDING_LEADER: _("building leader"),
    Role.OWNERS_COMMITTEE_MEMBER: _("owners' committee member"),
    Role.SUPERVISORY_COMMITTEE_MEMBER: _("owners' supervisory committee member"),
    Role.PROPERTY_STAFF: _("property company staff"),
    Role.RESIDENT: _("resident"),
    Role.RESIDENT_GROUP_LEADER: _("resident-group leader"),
    Role.COMMUNITY_PROPERTY_MANAGER: _("community property manager"),
    Role.OWNERS_REPRESENTATIVE: _("owners' representative"),
}


class Account(models.Model):
    """Links a log-in to the person it belongs to (residents, and staff who are also residents)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return str(self.user)


class RoleAssignment(models.Model):
    """(user, role, scope, start, end). The scope is a tree node, a grid or a dwelling (accounts.roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=40, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    node = models.ForeignKey(
        Node, verbose_name=_("node"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dwelling = models.ForeignKey(
        Dwelling,
        verbose_name=_("dwelling"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Tree path of the scope (node path, the grid's community path, or the dwelling's stairwell path).
    scope_path = models.CharField(max_length=255, editable=False, default="")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(node__isnull=False, grid__isnull=True, dwelling__isnull=True)
                    | Q(node__isnull=True, grid__isnull=False, dwelling__isnull=True)
                    | Q(node__isnull=True, grid__isnull=True, dwelling__isnull=False)
                ),
                name="role_assignment_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="role_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["user", "end"], name="role_user_end")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token: shown once at creation, stored only as a SHA-256 hash, revocable.

    A request with the token acts as its user, within that user's active role assignments.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("the first characters, to tell tokens apart")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
