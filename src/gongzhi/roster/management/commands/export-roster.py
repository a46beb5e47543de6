"""`gongzhi export-roster --community CODE --purpose TEXT FILE`: the operator's export on the server.

Whoever runs this already holds the database, so there is no approval step; but the purpose is required, the
file carries the same watermark as an approved export ("operator command line") and the export is audited
(gongzhi.exports.services.export_by_operator). ID numbers and phones are masked unless --clear-identifiers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.errors import InvalidInput, NotFound
from gongzhi.exports.services import export_by_operator
from gongzhi.roster.selectors import community_by_code


class Command(BaseCommand):
    help = (
        "Export a community's dwellings and people to the roster template (.xlsx), watermarked and audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", required=True, help="the community's 12-digit code")
        parser.add_argument(
            "--purpose", required=True, help="why the export is needed (recorded and watermarked)"
        )
        parser.add_argument(
            "--clear-identifiers",
            action="store_true",
            help="write full ID numbers and phones (default: masked); needed to import the file again",
        )
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
        try:
            made = export_by_operator(
                node=community,
                purpose=options["purpose"],
                clear_identifiers=options["clear_identifiers"],
                actor=actor,
            )
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        path.write_bytes(made.content)
        self.stdout.write(f"wrote {path} (sha256 {made.sha256}, recorded in the audit trail)")
