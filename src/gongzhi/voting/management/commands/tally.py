"""`gongzhi tally FILE.json`: recount a vote from JSON alone. `gongzhi` itself runs voting.recount without
Django (gongzhi.cli); this command lists it in `gongzhi help` and serves `django-admin tally`/call_command."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.voting import recount


class Command(BaseCommand):
    help = recount.DESCRIPTION
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django's own attribute)

    def add_arguments(self, parser: CommandParser) -> None:
        recount.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        code = recount.run(
            options["file"],
            city=options["city"],
            lang=options["lang"],
            explain=options["explain"],
            stdin=sys.stdin.buffer,
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if code:
            raise CommandError("input cannot be counted", returncode=code)
