"""The one table of this slice: official holiday schedules an administrator loaded for a year.

chinese-calendar knows the State Council's schedules up to 2026; a later year is counted Monday–Friday
("calendar not yet official", appeals.workdays) until its schedule is loaded here (appeals.services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidaySchedule(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday (day off)")
        WORKDAY = "workday", _("make-up working day")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source (State Council notice)"), max_length=300)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("holiday schedule day")
        verbose_name_plural = _("holiday schedule days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]), name="holiday_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"


# --- appeal cases (issue 4 §1) -------------------------------------------------------------------------------
# The process itself (states, transitions, guards) lives in appeals.lifecycle; these tables store a case's
# snapshot (what lifecycle.Case needs), its timeline and what the sweep has sent.


class Channel(models.TextChoices):
    WEB = "web", _("web (by the resident)")
    WALK_IN = "walk_in", _("walk-in (recorded by staff)")
    PHONE = "phone", _("phone call (recorded by staff)")
    PATROL = "patrol", _("raised on patrol (grid worker, building leader)")


STATE_CHOICES = [
    ("submitted", _("waiting to be accepted")),
    ("in_progress", _("being handled")),
    ("awaiting_info", _("waiting for information")),
    ("resolved", _("resolved")),
    ("closed", _("closed")),
    ("closed_no_response", _("closed without a response")),
    ("merged", _("merged")),
]
OPEN_STATE_VALUES = ("submitted", "in_progress", "awaiting_info")


class Appeal(models.Model):
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals_recorded"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=100, blank=True, default="")
    city = models.CharField(_("policy pack"), max_length=20)
    category = models.CharField(_("category"), max_length=30)
    track = models.CharField(_("track"), max_length=20)
    place = models.ForeignKey(
        "tree.Node", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    # The place's tree path, copied so scoped lists filter without a join.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    dwelling = models.ForeignKey(
        "tree.Dwelling",
        verbose_name=_("dwelling"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey("tree.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    household = models.CharField(max_length=40, blank=True, default="")  # "d<dwelling id>" or "u<user id>"
    description = models.TextField(_("description"))
    anonymous = models.BooleanField(_("anonymous toward the people it concerns"), default=False)
    severity = models.CharField(_("severity"), max_length=10, default="normal")
    difficulty = models.CharField(_("difficulty"), max_length=10, blank=True, default="")
    state = models.CharField(_("state"), max_length=20, choices=STATE_CHOICES, default="submitted")
    step = models.CharField(_("rung"), max_length=40)
    level = models.CharField(_("level"), max_length=20)
    handling_node = models.ForeignKey(
        "tree.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_unit = models.CharField(max_length=200, blank=True, default="")  # after a sideways transfer
    accepted_steps = models.JSONField(default=list)
    meeting_steps = models.JSONField(default=list)
    reopened = models.JSONField(default=list)
    arrived_at = models.DateTimeField()
    due_date = models.DateField(_("due"), null=True, blank=True)
    calendar_official = models.BooleanField(default=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    supervision_due = models.DateField(_("supervision due"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    link_group = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    meeting_ref = models.CharField(max_length=300, blank=True, default="")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True, default="")
    resolution = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "path"], name="appeal_state_path"),
            models.Index(fields=["household", "state"], name="appeal_household_state"),
            # Dashboards (oversight): a node's appeals submitted in a period, path first (LIKE 'prefix%' needs
            # the pattern operator class) for a node below the community; by day of submission for the
            # roll-up of districts, streets and communities (oversight.rollup), and what changed since.
            models.Index(
                fields=["path", "created_at"],
                name="appeal_path_created",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["created_at"], name="appeal_created_at"),
            models.Index(  # the open overdue cases a dashboard counts live (the few, not the many)
                fields=["path", "created_at"],
                name="appeal_open_overdue",
                condition=models.Q(overdue=True, state__in=OPEN_STATE_VALUES),
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["updated_at"], name="appeal_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1),
                name="appeal_rating_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"


class AppealEvent(models.Model):
    """One line of a case's timeline: who (by role), when, which transition, what was recorded."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=40)  # a role, "submitter" or "system"
    transition = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True, default="")
    to_state = models.CharField(max_length=20)
    from_step = models.CharField(max_length=40, blank=True, default="")
    to_step = models.CharField(max_length=40)
    record = models.JSONField(default=dict)
    clause = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]
        # Dashboards count moves between rungs (escalations) in a period (oversight.selectors.moves).
        indexes = [models.Index(fields=["transition", "at"], name="appeal_event_transition_at")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.transition}"


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name or ""


class AppealReminder(models.Model):
    """What the sweep has sent: one row per (case, rung, kind, number), so a second sweep sends nothing twice."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)  # "overdue" or "supervision"
    number = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "step", "kind", "number"], name="appeal_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.number}"


# Notices about cases live in the one notification centre, gongzhi.notices (moved there by migration 0004).


class AppealTopic(models.Model):
    """A deliberation topic convened on a case at one rung (issue 4 §1, issue 5 §1): made from the case by its
    handler, or an existing topic linked to it. The topic's page links back; its decision tells the handler."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey("deliberation.Topic", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=40)  # the rung the case was at
    created_from_appeal = models.BooleanField(default=False)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["appeal", "topic"], name="appeal_topic_once")]
        indexes = [models.Index(fields=["topic"], name="appeal_topic_by_topic")]

    def __str__(self) -> str:
        return f"{self.appeal_id}→{self.topic_id}"


class AppealIntake(models.Model):
    """A submission received and not yet routed (GONGZHI_APPEAL_INTAKE=queue; appeals.intake).

    Programs that submit in volume (the API; a 12345-hotline bridge) get their answer as soon as the submission
    is checked and stored here; `gongzhi appeals-intake` then routes it through the same service as an inline
    submission (appeals.cases.appeal_submit: the ladder, the household check, the timeline, the audit entry
    with this row's actor, time and address, the notices) and links the case, or records why it refused.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting to be routed")
        ROUTED = "routed", _("routed")
        REFUSED = "refused", _("refused")

    # No index on the foreign keys: an intake is found by its id (and the worker's queue by the partial index
    # below), never by its submitter, home, place or case, and every index is written on each submission, the
    # hot insert of issue 4 §4. (Users, dwellings, nodes and cases are never deleted, so PROTECT never scans.)
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=100, blank=True, default="")
    dwelling = models.ForeignKey(
        "tree.Dwelling", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    place = models.ForeignKey(
        "tree.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.CharField(_("category"), max_length=30)
    description = models.TextField(_("description"))
    anonymous = models.BooleanField(default=False)
    severity = models.CharField(max_length=10, default="normal")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True, default="")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    merged = models.BooleanField(default=False)
    refusal = models.CharField(max_length=500, blank=True, default="")
    refusal_code = models.CharField(max_length=60, blank=True, default="")
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal intake")
        verbose_name_plural = _("appeal intakes")
        indexes = [  # the worker's queue: only the waiting rows are indexed
            models.Index(fields=["id"], name="appeal_intake_waiting", condition=models.Q(state="waiting")),
        ]

    def __str__(self) -> str:
        return f"intake {self.pk} {self.state}"
