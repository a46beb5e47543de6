"""`gongzhi oversight_refresh [--all]`: bring the dashboards' roll-up up to date (after a bulk load, or from
cron); the dashboards also refresh it themselves before reading."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.oversight import rollup


class Command(BaseCommand):
    help = "Bring the dashboards' roll-up of appeals up to date (--all: rebuild every day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="rebuild every day, not only the changed ones")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            rollup.rebuild(None)
            rollup.RollupMark.objects.update_or_create(pk=1, defaults={"seen_until": rollup.latest_change()})
            self.stdout.write("rebuilt every day")
            return
        days = rollup.refresh()
        self.stdout.write("rebuilt every day" if days is None else f"rebuilt {days} day(s)")
