"""`gongzhi rotate-key`: re-encrypt ID numbers and phones under the newest key (README: Production)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.crypto import DataKeyError, new_key
from gongzhi.core.rotation import BATCH, Counts, data_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored ID number and phone under the first key of GONGZHI_DATA_KEYS and re-hash "
        "them under the first key of GONGZHI_LOOKUP_KEYS. Resumable: run it again after an interruption."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true", help="only print a freshly generated key")
        parser.add_argument(
            "--batch", type=int, default=BATCH, help=f"rows per transaction (default {BATCH})"
        )
        parser.add_argument("--as-user", default="", help="user name recorded as the actor (default: none)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        self.verbose = options["verbosity"] > 1
        actor = None
        if options["as_user"]:
            actor = get_user_model().objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"no user named {options['as_user']}")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        try:
            rotation = data_keys_rotate(actor=actor, batch_size=options["batch"], progress=self._progress)
        except DataKeyError as exc:
            raise CommandError(
                f"{exc} Batches finished so far are saved; fix the keys and run again."
            ) from exc
        self.stdout.write(
            f"checked {rotation.rows_checked} rows: re-encrypted {rotation.values_resealed} values under data key "
            f"{rotation.data_key_id}, re-hashed {rotation.hashes_recomputed} under lookup key {rotation.lookup_key_id}"
        )

    def _progress(self, counts: Counts) -> None:
        if self.verbose:
            self.stderr.write(
                f"{counts.rows} rows checked, {counts.resealed} re-encrypted, {counts.rehashed} re-hashed"
            )
