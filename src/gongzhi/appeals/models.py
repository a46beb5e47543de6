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
