"""`gongzhi import-roster FILE [FILE ...]`: import the roster template (.xlsx, or one .csv per sheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gongzhi.roster.services import ImportOptions, roster_import

STAGE_LABELS = {"read": "检查 check", "write": "写入 write"}


class Progress:
    """One tqdm bar per stage (checking rows, then writing)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.stage = ""
        self.bar: tqdm[Any] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total or None, desc=STAGE_LABELS.get(stage, stage), unit="行")
        assert self.bar is not None
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Import buildings, stairwells, dwellings, owners and occupants from the roster template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", type=Path, metavar="FILE", help=".xlsx workbook or .csv file(s)"
        )
        parser.add_argument("--as-user", default="", help="user name recorded as the actor (default: none)")
        parser.add_argument(
            "--no-create-structure",
            action="store_true",
            help="compounds, buildings and stairwells must already exist",
        )
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["as_user"]:
            actor = get_user_model().objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"no user named {options['as_user']}")
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        progress = Progress(enabled=not options["no_progress"] and options["verbosity"] > 0)
        try:
            result = roster_import(
                actor=actor,
                source=options["files"],
                progress=progress,
                options=ImportOptions(
                    create_structure=not options["no_create_structure"], dry_run=options["dry_run"]
                ),
            )
        finally:
            progress.close()
        if not result.ok:
            for e in result.errors:
                self.stderr.write(f"{e.sheet}\t{e.row or ''}\t{e.column}\t{e.message}")
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported")
        if options["dry_run"]:
            self.stdout.write(f"{result.rows} rows checked, no errors (dry run: nothing written)")
        elif not result.changed:
            self.stdout.write(f"{result.rows} rows read; no changes")
        else:
            counts = ", ".join(f"{k}={v}" for k, v in result.counts.items() if v)
            self.stdout.write(f"{result.rows} rows imported: {counts}")
