"""Write path of the roster: import a file, run an upload from the web page, the empty template.

Exports of filled rosters hold personal data and go through gongzhi.exports (purpose, approval, watermark).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gongzhi.audit.context import current_ip
from gongzhi.audit.services import audit_record
from gongzhi.roster.errors import RowError
from gongzhi.roster.importer import Writer, resolve
from gongzhi.roster.models import ImportJob
from gongzhi.roster.validate import Progress, parse_files
from gongzhi.roster.workbook import write_workbook

MAX_STORED_ERRORS = 1000  # an ImportJob keeps the first errors; the count says how many there were


@dataclass(frozen=True)
class ImportOptions:
    """create_structure: create missing compounds/buildings/stairwells (else they are errors such as
    unknown_building). dry_run: check against the database, write nothing."""

    create_structure: bool = True
    dry_run: bool = False


@dataclass(frozen=True)
class RosterSource:
    path: Path
    name: str  # shown in the report for CSV files and stored in the audit entry


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    community_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


def _sources(source: Path | RosterSource | Sequence[Path | RosterSource]) -> list[RosterSource]:
    items = [source] if isinstance(source, Path | RosterSource) else list(source)
    return [s if isinstance(s, RosterSource) else RosterSource(Path(s), Path(s).name) for s in items]


def _sha256(files: list[RosterSource]) -> str:
    digest = hashlib.sha256()
    for f in files:
        with f.path.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):  # type: ignore[misc]
                digest.update(block)
    return digest.hexdigest()


def roster_import(
    *,
    actor: Any,
    source: Path | RosterSource | Sequence[Path | RosterSource],
    options: ImportOptions = ImportOptions(),
    progress: Progress | None = None,
) -> ImportResult:
    """Import dwellings and people from the roster template (.xlsx, or one .csv per sheet).

    Preconditions: the community named by the rows' 12-digit code exists. Every row is checked first; if
    anything is wrong nothing is written and `result.errors` lists sheet, row, column and reason. Otherwise all
    writes happen in one transaction with their audit entries, plus one "roster.imported" summary entry (file
    name, sha256, counts). An import that would change nothing writes nothing, not even the summary.
    """
    files = _sources(source)
    result = ImportResult(file_name=", ".join(f.name for f in files), sha256=_sha256(files))
    today = timezone.localdate()
    parsed = parse_files([(f.path, f.name) for f in files], today=today, progress=progress)
    result.rows = parsed.rows
    if parsed.errors:
        result.errors = sorted(parsed.errors, key=lambda e: (e.sheet, e.row))
        return result
    with transaction.atomic():
        plan = resolve(parsed, create_structure=options.create_structure, actor=actor)
        if isinstance(plan, list):
            result.errors = sorted(plan, key=lambda e: (e.sheet, e.row))
            return result
        result.community_id = plan.community.pk
        if options.dry_run:
            return result
        result.counts = Writer(actor=actor, plan=plan, today=today, progress=progress).run(parsed)
        if result.changed:
            audit_record(
                actor=actor,
                action="roster.imported",
                obj=plan.community,
                node_path=plan.community.path,
                after={
                    "file": result.file_name,
                    "sha256": result.sha256,
                    "rows": result.rows,
                    "counts": result.counts,
                    "create_structure": options.create_structure,
                },
            )
    return result


def roster_template(target: Path | IO[bytes]) -> None:
    """The empty template (instructions and headers only); writes nothing to the database."""
    write_workbook(target, [], [])


# --- the web page's jobs ---------------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor: Any, upload: UploadedFile, create_structure: bool = True) -> ImportJob:
    """Store an upload as a pending job of `actor` (a staff user); roster.runner starts it."""
    name = Path(upload.name or "roster").name[:255]
    job = ImportJob(
        created_by=actor, file_name=name, create_structure=create_structure, source_ip=current_ip.get()
    )
    job.file.save(name, upload, save=False)
    job.save()
    audit_record(actor=actor, action="roster.import_uploaded", obj=job, after={"file": name})
    return job


def import_job_run(*, job_id: int, progress: Progress | None = None) -> ImportJob:
    """Run a pending job: the import (its own transaction and audit), then the job's outcome. The uploaded file
    is deleted afterwards (it holds personal data); name and sha256 stay."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    token = current_ip.set(job.source_ip)
    try:
        result = roster_import(
            actor=job.created_by,
            source=RosterSource(Path(job.file.path), job.file_name),
            options=ImportOptions(create_structure=job.create_structure),
            progress=progress,
        )
    except Exception as exc:  # reported on the job page instead of vanishing in a thread
        _job_finish(job, status=ImportJob.Status.FAILED, failure=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        current_ip.reset(token)
    job.sha256 = result.sha256
    job.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
    job.counts = {**result.counts, "rows": result.rows, "errors": len(result.errors)}
    job.done = job.total = result.rows
    _job_finish(job, status=ImportJob.Status.SUCCEEDED if result.ok else ImportJob.Status.REJECTED)
    return job


def _job_finish(job: ImportJob, *, status: str, failure: str = "") -> None:
    job.status = status
    job.failure = failure
    job.finished_at = timezone.now()
    if job.file:
        job.file.delete(save=False)
    job.save()


def import_job_claim() -> int | None:
    """Claim the oldest waiting job for this worker; None when there is none.

    The database is the queue: a conditional UPDATE from pending to running succeeds for exactly one worker, so
    several workers (or two at once from cron) never run the same job twice.
    """
    for job_id in (
        ImportJob.objects.filter(status=ImportJob.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:5]
    ):
        if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.RUNNING
        ):
            return job_id
    return None
