"""Demo log-ins whose role may reveal personal data come enrolled with a fixed, printed authenticator key."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.demo.logins import DEMO_PASSWORD, demo_totp_key
from gongzhi.demo.services import demo_generate

pytestmark = pytest.mark.django_db


def test_reveal_roles_are_enrolled_with_the_demo_key():
    demo_generate(scale=60, bulk=True)
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    assert {d.user.username for d in devices} == {"admin", "community_worker"}  # privacy.reveal.roles + admin
    assert all(d.key == demo_totp_key(d.user.username) for d in devices)


def test_printed_code_completes_the_log_in():
    demo_generate(scale=60, bulk=True)
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    printed = dict(
        re.findall(r"^\s+(community_worker|admin)\s+\S+ [A-Z2-7]+\s+\S+ (\d{6})$", out.getvalue(), re.M)
    )
    assert set(printed) == {"admin", "community_worker"}
    client = Client()
    client.post("/login/", {"username": "community_worker", "password": DEMO_PASSWORD})
    assert client.get("/").status_code == 302  # the code first
    assert client.post("/account/verify/", {"token": printed["community_worker"]}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_changed_key_is_not_printed():
    demo_generate(scale=60, bulk=True)
    TOTPDevice.objects.filter(user__username="admin").update(key="ab" * 20)
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert re.search(r"^\s+admin\s+\S+ [A-Z2-7]+", out.getvalue(), re.M) is None
    assert "community_worker " in out.getvalue().split(DEMO_PASSWORD)[-1]
