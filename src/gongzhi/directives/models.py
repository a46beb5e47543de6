"""Directives pushed down the tree (issue 4 §2): the county's access list, the directive, its cascade of
assignments (one per receiving unit), progress reports and attachments. Data and invariants only; every write
goes through directives.services, the process through directives.rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.directives.rules import ItemKind, State
from gongzhi.tree.models import Node

ITEM_KIND_LABELS = {
    ItemKind.ALLOWED: _("may be given to the residents' committee"),
    ItemKind.ASSISTED: _("assisted item (staff and funding come with it)"),
    ItemKind.STATUTORY: _("statutory duty of grassroots government"),
    ItemKind.ENFORCEMENT: _("administrative enforcement"),
    ItemKind.DEMOLITION: _("demolition of illegal structures"),
    ItemKind.ENVIRONMENTAL: _("environmental rectification"),
    ItemKind.URBAN_MANAGEMENT: _("urban management"),
    ItemKind.INVESTMENT: _("investment attraction"),
}
STATE_LABELS = {
    State.RECEIVED: _("received"),
    State.ACKNOWLEDGED: _("acknowledged"),
    State.IN_PROGRESS: _("in progress"),
    State.COMPLETED: _("completed"),
}


class AccessListItem(models.Model):
    """An item of a county's community work-item access list 社区工作事项准入清单 (CZ-IV.6#2)."""

    county = models.ForeignKey(
        Node, verbose_name=_("county"), on_delete=models.PROTECT, related_name="access_list"
    )
    code = models.CharField(_("item number"), max_length=20)
    title = models.CharField(_("item"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=30, choices=[(k.value, ITEM_KIND_LABELS[k]) for k in ItemKind]
    )
    basis = models.CharField(_("basis"), max_length=300, blank=True, default="")
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        verbose_name = _("access-list item")
        verbose_name_plural = _("access-list items")
        ordering = ["county_id", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="access_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Directive(models.Model):
    """Work a district, street or community gives to the units below it, with the BZ "six ones"."""

    node = models.ForeignKey(
        Node, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="directives"
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    basis = models.CharField(_("basis"), max_length=300)
    due_date = models.DateField(_("due date"))
    # "六个一" (BZ-5.1.1.3(a)): one project, one plan, one responsible leader, one working group, one timetable.
    project = models.CharField(_("project"), max_length=200)
    plan = models.TextField(_("plan"))
    responsible_leader = models.CharField(_("responsible leader"), max_length=100)
    working_group = models.CharField(_("working group"), max_length=300)
    timetable = models.TextField(_("timetable"))
    access_item = models.ForeignKey(
        AccessListItem,
        verbose_name=_("access-list item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directives",
    )
    support_staff = models.CharField(_("staff provided"), max_length=300, blank=True, default="")
    support_funding_fen = models.BigIntegerField(_("funding provided (fen)"), default=0)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_funding_fen__gte=0), name="directive_funding_non_negative"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """One receiving unit's part of a directive: the root ones come from the issuer, the others from a split."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="assignments")
    node = models.ForeignKey(Node, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    # The node's path, copied so "assignments under X" needs no join.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(
        _("state"), max_length=20, choices=[(s.value, STATE_LABELS[s]) for s in State], default=State.RECEIVED
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    note = models.TextField(_("instructions"), blank=True, default="")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)  # the local date, for on-time counting

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "node"], name="assignment_once_per_unit"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="assignment_percent_max"),
        ]
        indexes = [models.Index(fields=["state", "due_date"], name="assignment_state_due")]

    def __str__(self) -> str:
        return f"{self.directive_id}@{self.node_id}"


class ProgressReport(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    percent = models.PositiveSmallIntegerField(_("percent done"))
    text = models.TextField(_("progress"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_max")]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.percent}"


class Attachment(models.Model):
    """A file of the directive itself or of a progress report."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="directives/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
