"""`gongzhi demo_logins`: print the demo log-in of each role (user name and the shared demo password)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.accounts.models import ROLE_LABELS
from gongzhi.demo.logins import ADMIN_USERNAME, DEMO_PASSWORD, DEMO_USERNAMES, demo_totp_key


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
        self._second_factors([u for _, u in rows if u in existing])

    def _second_factors(self, usernames: list[str]) -> None:
        """The demo's authenticator keys (only those still equal to the demo's public key) and current codes."""
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from gongzhi.accounts.two_factor import manual_key

        devices = TOTPDevice.objects.filter(user__username__in=usernames, confirmed=True).select_related(
            "user"
        )
        demo = [d for d in devices if d.key == demo_totp_key(d.user.get_username())]
        if not demo:
            return
        self.stdout.write(
            _(
                "Second factor for roles that may reveal personal data: add the key to an authenticator app "
                "(time-based, 6 digits), or type the current code shown here (valid about 30 s):"
            )
        )
        key_label, code_label = _("key"), _("code")
        for device in sorted(demo, key=lambda d: d.user.get_username()):
            code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
            self.stdout.write(
                f"  {device.user.get_username():<24} {key_label} {manual_key(device)}  {code_label} {code}"
            )
