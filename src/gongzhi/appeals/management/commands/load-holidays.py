"""`gongzhi load-holidays YEAR FILE`: load the State Council's holiday schedule for a year.

FILE is JSON ({"year": 2027, "source": "…", "holidays": ["2027-01-01", …], "workdays": ["2027-02-06", …]})
or plain text, one `DATE[..DATE] holiday|workday` per line (also 休/假 and 班; `#` comments); see
appeals.workdays.parse_schedule. The source note comes from --source or the JSON "source".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import user_error
from gongzhi.appeals.services import holiday_schedule_load
from gongzhi.appeals.workdays import parse_schedule
from gongzhi.core.errors import GongzhiError


class Command(BaseCommand):
    help = "Load the official holidays and make-up working days of one year (State Council schedule)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, metavar="YEAR")
        parser.add_argument("file", type=Path, metavar="FILE", help="JSON or text schedule")
        parser.add_argument("--source", default="", help="the notice, e.g. 国办发明电〔2026〕N号")
        parser.add_argument("--as-user", default="", help="user name recorded as the actor (a superuser)")
        parser.add_argument(
            "--replace-official",
            action="store_true",
            help="replace chinese-calendar's schedule for a year it already knows (a correction)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = self._actor(options["as_user"])
        try:
            parsed = parse_schedule(path.read_text(encoding="utf-8"))
            if parsed.year is not None and parsed.year != options["year"]:
                raise CommandError(f"{path} is for {parsed.year}, not {options['year']}")
            rows = holiday_schedule_load(
                actor=actor,
                year=options["year"],
                holidays=parsed.holidays,
                workdays=parsed.workdays,
                source=options["source"] or parsed.source,
                replace_official=options["replace_official"],
            )
        except AppealRuleError as exc:
            raise CommandError(str(user_error(exc))) from exc
        except GongzhiError as exc:
            raise CommandError(str(exc)) from exc
        holidays = sum(1 for r in rows if r.kind == "holiday")
        self.stdout.write(
            f"{options['year']}: {holidays} holidays, {len(rows) - holidays} make-up working days"
        )

    def _actor(self, username: str) -> Any:
        if not username:
            return None
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"no user named {username}")
        return actor
