"""`gongzhi demo_logins`: print the demo log-in of each role (user name and the shared demo password)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.accounts.models import ROLE_LABELS
from gongzhi.demo.logins import ADMIN_USERNAME, DEMO_PASSWORD, DEMO_USERNAMES


class Command(BaseCommand):
    help = "Print one demo log-in per role (user name and password)."

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(
            get_user_model()
            .objects.filter(username__in=[ADMIN_USERNAME, *DEMO_USERNAMES.values()])
            .values_list("username", flat=True)
        )
        if not existing:
            self.stdout.write(_("No demo log-ins yet: run `gongzhi demo` first."))
            return
        self.stdout.write(_("Demo log-ins (password for all: %(password)s)") % {"password": DEMO_PASSWORD})
        rows = [(_("administrator"), ADMIN_USERNAME)] + [
            (str(ROLE_LABELS[r]), u) for r, u in DEMO_USERNAMES.items()
        ]
        for label, username in rows:
            if username in existing:
                self.stdout.write(f"  {label:<24} {username:<30} {DEMO_PASSWORD}")
