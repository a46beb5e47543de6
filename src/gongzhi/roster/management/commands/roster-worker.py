"""`gongzhi roster-worker`: run uploaded roster imports from the database queue (GONGZHI_IMPORT_RUNNER=worker)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from gongzhi.roster.services import import_job_claim, import_job_run

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run waiting roster import jobs; with --once, run those waiting now and exit (for cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="exit when no job is waiting")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between looks at the queue")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            if not connection.in_atomic_block:  # (never inside a caller's transaction, e.g. a test's)
                close_old_connections()  # a long-lived worker must not keep a stale connection
            job_id = import_job_claim()
            if job_id is None:
                if options["once"]:
                    return
                time.sleep(options["poll"])
                continue
            try:
                job = import_job_run(job_id=job_id)
                self.stdout.write(f"job {job_id}: {job.status}")
            except Exception:  # the job records its failure; the worker goes on with the next one
                log.exception("roster import job %s failed", job_id)
