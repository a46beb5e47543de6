"""`gongzhi appeals-intake`: route the appeals the API queued (GONGZHI_APPEAL_INTAKE=queue; appeals.intake).

Runs as a long-lived worker (systemd, supervisor) or from cron with --once. Two at once share the queue (SKIP
LOCKED); nothing is routed twice.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from gongzhi.appeals.intake import BATCH, appeals_intake_route

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Route queued appeal submissions; with --once, route those waiting now and exit (for cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="exit when nothing is waiting")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the queue")
        parser.add_argument("--batch", type=int, default=BATCH, help="submissions routed per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            if not connection.in_atomic_block:  # (never inside a caller's transaction, e.g. a test's)
                close_old_connections()  # a long-lived worker must not keep a stale connection
            result = appeals_intake_route(limit=options["batch"])
            if result.ids:
                total += len(result.ids)
                log.info("routed %s, merged %s, refused %s", result.routed, result.merged, result.refused)
                continue
            if options["once"]:
                self.stdout.write(f"routed {total} submission(s)")
                return
            time.sleep(options["poll"])
