"""`gongzhi demo --scale N [--seed S] [--if-empty] [--bulk|--no-bulk]`: build the demo data set."""

from __future__ import annotations

import sys
import time
from argparse import BooleanOptionalAction as BooleanOptional
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from gongzhi.demo.services import DEFAULT_SEED, demo_generate, demo_is_empty


class Command(BaseCommand):
    help = "Build a deterministic demo data set of about N dwellings (Chinese names, every city pack)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=500, help="number of dwellings (default 500)")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)"
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
        parser.add_argument(
            "--bulk",
            action=BooleanOptional,
            default=None,
            help="write rows in bulk (default: only above 5,000 dwellings) or through the services",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale: int = options["scale"]
        if scale < 10:
            raise CommandError(_("The scale must be at least 10 dwellings."))
        if not demo_is_empty():
            if options["if_empty"]:
                self.stdout.write(_("The database already has data; no demo data added."))
                return
            raise CommandError(
                _("The database already has data; demo data goes into an empty database only.")
            )
        started = time.monotonic()
        show = options["verbosity"] > 0
        with tqdm(total=scale, unit=" dwellings", file=sys.stderr, disable=not show, mininterval=1) as bar:
            summary = demo_generate(
                scale=scale, seed=options["seed"], bulk=options["bulk"], progress=bar.update
            )
        seconds = time.monotonic() - started
        if show:
            self.stdout.write(
                _(
                    "Demo data: %(dwellings)d dwellings, %(people)d people, %(bodies)d bodies in %(seconds).1f s."
                )
                % {
                    "dwellings": summary.dwellings,
                    "people": summary.people,
                    "bodies": summary.bodies,
                    "seconds": seconds,
                }
            )
