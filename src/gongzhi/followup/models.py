"""Implementation of a decided topic and its log, residents' appraisals, and the community's receipt of a filed
result. Data and invariants only; every write goes through followup.services, every rule through followup.rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.models import Step, Topic
from gongzhi.followup import rules
from gongzhi.tree.models import Dwelling


class Implementation(models.Model):
    """Who carries out a topic's decision, by when and to what standard (HZ-5.1.3.2.1.5)."""

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="implementation")
    implementer = models.CharField(_("implementer"), max_length=200)
    due_on = models.DateField(_("due date"))
    standard = models.TextField(_("acceptance standard"))
    state = models.CharField(max_length=10, choices=list(rules.STATES.items()), default=rules.OPEN)
    version = models.PositiveIntegerField(default=0)  # bumped by every change: a stale form is refused
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointed_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state=rules.OPEN, closed_at__isnull=True)
                | Q(state__in=sorted(rules.CLOSED), closed_at__isnull=False),
                name="implementation_closed_iff_done_or_failed",
            ),
        ]

    def __str__(self) -> str:
        return self.implementer


class Milestone(models.Model):
    """A stage of the implementation with its own date (issue 5 §4: milestones and due dates)."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"))
    reached_at = models.DateTimeField(null=True, blank=True)
    reached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "title"], name="milestone_title_once"),
            models.CheckConstraint(
                condition=Q(reached_at__isnull=True, reached_by__isnull=True)
                | Q(reached_at__isnull=False, reached_by__isnull=False),
                name="milestone_reached_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """One entry of an implementation's log: the appointment, progress, a change with its reason, a follow-up
    check by the supervisory body, or the closing."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=[(k, a.label) for k, a in rules.ACTIONS.items()])
    text = models.TextField(blank=True, default="")
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacities = models.JSONField(default=list)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="event_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.action


class Appraisal(models.Model):
    """One household's rating of a topic's result (HZ-5.1.3.2.2.7): one per dwelling."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="appraisals")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "dwelling"], name="appraisal_once_per_household"),
            models.CheckConstraint(condition=Q(rating__gte=1), name="appraisal_rating_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.dwelling_id}: {self.rating}"


class FilingReceipt(models.Model):
    """The community's acknowledgement that it received a filed result (HZ-5.1.3.2.1.3 备案). The filing itself
    is the procedure's filing step (who filed, when, the document and reference it recorded)."""

    step = models.OneToOneField(Step, on_delete=models.PROTECT, related_name="receipt")
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.step_id)
