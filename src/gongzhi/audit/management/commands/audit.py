"""`gongzhi audit verify`: walk the hash chain and report the first entry changed, inserted or deleted."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count, broken = audit_verify()
        elapsed = time.perf_counter() - started
        if broken is not None:
            problems = {
                "changed": _("changed"),
                "inserted": _("inserted"),
                "deleted": _("deleted before it"),
                "unchained": _("written outside the chain"),
            }
            raise CommandError(
                _(
                    "Audit chain broken at entry #%(seq)s (id %(id)s): %(problem)s. %(count)d entries verified before it."
                )
                % {
                    "seq": broken.seq,
                    "id": broken.entry_id,
                    "problem": problems[broken.problem],
                    "count": count,
                }
            )
        self.stdout.write(
            _("Audit chain intact: %(count)d entries verified in %(seconds).2f s.")
            % {"count": count, "seconds": elapsed}
        )
