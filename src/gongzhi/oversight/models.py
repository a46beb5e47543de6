"""The dashboards' roll-up (oversight.rollup): appeals counted per district, street and community and day of
submission, so a district's dashboard sums a few thousand rows instead of grouping every case. Derived data
only: it is rebuilt from the appeals (and their timelines) for every day in which a case changed."""

from __future__ import annotations

from django.db import models


class AppealRollup(models.Model):
    """Cases of one node (district, street or community: `path`) submitted on one day, with a count.

    kind "case": by level, state, category, rating, deadline kept; "days": resolved cases by the day they were
    resolved (the median's input); "move": moves between levels (the flow chart's input)."""

    path = models.CharField(max_length=255)
    day = models.DateField()
    kind = models.CharField(max_length=5)
    level = models.CharField(max_length=20, blank=True, default="")
    state = models.CharField(max_length=20, blank=True, default="")
    category = models.CharField(max_length=30, blank=True, default="")
    rating = models.PositiveSmallIntegerField(null=True)
    on_time = models.BooleanField(default=False)
    has_due = models.BooleanField(default=False)
    resolved_on = models.DateField(null=True)
    to_level = models.CharField(max_length=20, blank=True, default="")
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["path", "kind", "day"], name="rollup_path_kind_day")]

    def __str__(self) -> str:
        return f"{self.path} {self.day} {self.kind} {self.n}"


class RollupMark(models.Model):
    """One row: the newest appeal change the roll-up has taken in (its watermark)."""

    seen_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.seen_until)
