"""`gongzhi sweep`: reminders for overdue appeals, overdue supervision, "no response" closing (§5 #22, #27).

Safe from cron or a task worker, and twice at once: each case is locked with SKIP LOCKED and each reminder is
recorded once (appeals.cases.appeals_sweep). A case that fails is logged and the others are swept; the command
then exits with an error. Nothing escalates by itself. Then the issuers of directives are
told once of each assignment past its deadline (directives.services.directives_overdue_sweep).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.appeals.cases import appeals_sweep
from gongzhi.directives.services import directives_overdue_sweep


class Command(BaseCommand):
    help = (
        "Remind overdue appeals, flag overdue supervision, close resolved appeals nobody answered, and tell "
        "issuers of directives' missed deadlines."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = appeals_sweep()
        self.stdout.write(
            f"reminded {result.reminded}, supervision overdue {result.supervision}, "
            f"closed without response {result.closed_no_response}, skipped (locked) {result.skipped_locked}, "
            f"failed {result.failed}"
        )
        self.stdout.write(f"directives overdue told {directives_overdue_sweep()}")
        if result.failed:  # the others were handled; cron (or the task worker) must still see it
            raise CommandError(
                _("%(count)d appeals could not be swept; the others were. See the log (gongzhi.appeals).")
                % {"count": result.failed}
            )
