"""Compile every .po file under src/gongzhi to .mo with polib: no gettext binary needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogues (.po → .mo) in pure Python."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for po_path in sorted(Path(settings.SRC_DIR).rglob("locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        if options["verbosity"] > 1 or count:
            self.stdout.write(f"compiled {count} catalogue(s)")
