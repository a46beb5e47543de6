from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Uploads kept beside MEDIA_ROOT, not in it (DEBUG serves MEDIA_ROOT at /media/): they hold ID numbers."""

    @cached_property
    def base_location(self) -> str:  # type: ignore[override]
        return str(Path(settings.MEDIA_ROOT).parent / "private")


class ImportJob(models.Model):
    """One roster upload from the web page, run in the background; the page polls its progress.

    The uploaded file is deleted when the job ends (it holds ID numbers); its name and sha256 stay here and in
    the import's audit entry.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("imported")
        REJECTED = "rejected", _("rejected: errors in the file")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="roster/imports/", storage=PrivateStorage(), blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    create_structure = models.BooleanField(
        _("create missing compounds, buildings and stairwells"), default=True
    )
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=10, blank=True, default="")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(
        default=list, blank=True
    )  # RowError.as_dict() entries, shown in the reader's language
    failure = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.REJECTED, self.Status.FAILED)
