"""Topics, their deliberation steps, the must-deliberate catalogue and meetings (issue 5 §1). Data and invariants
only; every write goes through deliberation.services, every move of a procedure through deliberation.rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation import rules
from gongzhi.tree.models import Node
from gongzhi.voting.models import Vote
from gongzhi.voting.procedures import NEW, PROCEDURES


class CatalogueEntry(models.Model):
    """One kind of matter on a community's must-deliberate catalogue (必议事项清单, NB-3.2.1)."""

    community = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="must_deliberate")
    title = models.CharField(_("matter"), max_length=120)
    clause = models.CharField(_("basis"), max_length=60, default="NB-3.2.1")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "title"], name="catalogue_title_once")]
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    """A topic (议题) on a node, with the procedure it is deliberated by and that procedure's current state."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    source = models.CharField(_("source"), max_length=30, choices=list(rules.SOURCES.items()))
    # The appeal it came from; a plain reference until the appeals models settle (issue 4).
    appeal_id = models.PositiveBigIntegerField(_("appeal"), null=True, blank=True)
    matter = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("must-deliberate matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
    )
    procedure = models.CharField(_("procedure"), max_length=30, choices=[(k, k) for k in PROCEDURES])
    state = models.CharField(_("step"), max_length=40, default=NEW)
    version = models.PositiveIntegerField(default=0)  # bumped by every step: a stale form is refused
    decision = models.TextField(_("decision"), blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic")
        constraints = [
            models.CheckConstraint(
                condition=Q(source="appeal") | Q(appeal_id__isnull=True), name="topic_appeal_only_from_appeal"
            ),
        ]
        indexes = [models.Index(fields=["node", "state"])]

    def __str__(self) -> str:
        return self.title


class Step(models.Model):
    """One transition of a topic's procedure: who took it, in which capacity, when, and what it recorded."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="steps")
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    clause = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacities = models.JSONField(default=list)  # the actor's capacities that allowed the step
    record = models.JSONField(default=dict)
    attachment = models.FileField(upload_to="deliberation/steps/%Y/%m/", blank=True)
    meeting = models.ForeignKey("Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["topic", "source"], name="step_once_from_each_state")]

    def __str__(self) -> str:
        return f"{self.source}→{self.target}"


class Format(models.TextChoices):
    ON_SITE = "on_site", _("on site")
    ONLINE = "online", _("online (a discussion thread)")


class Meeting(models.Model):
    """A meeting of a topic: on site (staff sign attendees in) or online (an asynchronous thread)."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    invitees = models.JSONField(default=list)  # capacities invited (roles and bodies)
    minutes = models.TextField(_("minutes"), blank=True, default="")
    decisions = models.TextField(_("decisions"), blank=True, default="")
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Someone present: signed in on site by a staff member, or joined online themself."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(_("name"), max_length=60)
    capacity = models.CharField(_("attends as"), max_length=60)
    online = models.BooleanField(default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name", "capacity"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(online=True, user__isnull=False) | Q(online=False, signed_in_by__isnull=False),
                name="attendance_online_or_signed_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"


class Post(models.Model):
    """A contribution to an online meeting's thread."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("post"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


class Attachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="deliberation/meetings/%Y/%m/")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
