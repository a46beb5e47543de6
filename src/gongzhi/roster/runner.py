"""How an uploaded roster job runs: GONGZHI_IMPORT_RUNNER = "thread" (default) or "inline".

"thread": after the upload's transaction commits, a daemon thread of the web process runs the job, so the demo
needs no worker and the job page can poll. Progress lives in this process's memory (`job_progress`); the job
row holds the outcome. With several web processes a poll may reach another process: it then shows "running"
without numbers until the outcome is stored. A job whose process died stays "running" (see the README).
"inline": the upload request runs the job itself (tests, and deployments that prefer it).
"worker": the job waits in the database until a `gongzhi roster-worker` process claims it (production with
several web processes); the page shows "waiting", then "running", then the outcome.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from gongzhi.roster.models import ImportJob
from gongzhi.roster.services import import_job_run

log = logging.getLogger(__name__)
_lock = threading.Lock()
_progress: dict[int, tuple[str, int, int]] = {}


def job_progress(job_id: int) -> tuple[str, int, int] | None:
    """(stage, done, total) of a job running in this process, else None."""
    with _lock:
        return _progress.get(job_id)


def _reporter(job_id: int):  # type: ignore[no-untyped-def]
    def report(stage: str, done: int, total: int) -> None:
        with _lock:
            _progress[job_id] = (stage, done, total)

    return report


def _run(job_id: int) -> None:
    close_old_connections()
    try:
        import_job_run(job_id=job_id, progress=_reporter(job_id))
    except Exception:
        log.exception("roster import job %s failed", job_id)
    finally:
        with _lock:
            _progress.pop(job_id, None)
        connection.close()


def job_start(job: ImportJob) -> None:
    mode = getattr(settings, "GONGZHI_IMPORT_RUNNER", "thread")
    if mode == "worker":
        return  # left pending for `gongzhi roster-worker`
    if mode == "inline":
        try:
            import_job_run(job_id=job.pk)
        except Exception:
            log.exception("roster import job %s failed", job.pk)
        return
    job_id = job.pk
    transaction.on_commit(
        lambda: threading.Thread(
            target=_run, args=(job_id,), daemon=True, name=f"roster-import-{job_id}"
        ).start()
    )
