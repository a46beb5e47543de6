"""`gongzhi export-roster --community CODE FILE`: write a community's roster in the import template (.xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.errors import NotFound
from gongzhi.roster.selectors import community_by_code
from gongzhi.roster.services import roster_export


class Command(BaseCommand):
    help = "Export a community's dwellings and people to the roster template (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", required=True, help="the community's 12-digit code")
        parser.add_argument("--as-user", default="", help="user name recorded as the actor (default: none)")
        parser.add_argument("file", type=Path, metavar="FILE", help="the .xlsx file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            community = community_by_code(options["community"])
        except NotFound as exc:
            raise CommandError(f"no community with code {options['community']}") from exc
        actor = None
        if options["as_user"]:
            actor = get_user_model().objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"no user named {options['as_user']}")
        path: Path = options["file"]
        if path.suffix.lower() != ".xlsx":
            raise CommandError("the export is an .xlsx workbook; give a FILE ending in .xlsx")
        roster_export(actor=actor, community=community, target=path)
        self.stdout.write(f"wrote {path}")
