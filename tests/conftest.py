"""Shared fixtures: a small tree with one of each level, people and an acting staff user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.people import services as people
from gongzhi.tree import services as tree


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashes passwords slowly on purpose; tests create many users, so use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the UI's first language; a request with Accept-Language: en would otherwise leave
    English active in this thread for whichever test runs next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_includes_second_factor(monkeypatch):
    """In tests, `client.force_login(user)` stands for a completed log-in: the password and, where the user
    has or needs an authenticator (accounts.two_factor), its code. Tests of the second factor itself log in
    with `client.login()` or through the log-in page, which stop after the password as in real life."""
    from django.test import Client

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def verify_session(client: Any, user: Any) -> None:
    """Mark the client's session as past its second factor (confirming an authenticator if it has none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from gongzhi.accounts.two_factor import confirmed_device, second_factor_required

    device = confirmed_device(user)
    if device is None and not second_factor_required(user):
        return
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def actor(django_user_model):
    return django_user_model.objects.create_user(
        username="admin", password="pw-admin-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def small_tree(actor):
    """district → street → community → compound → building → stairwell with 3 dwellings."""
    d = tree.node_create(
        actor=actor, parent=None, name="吴兴区", level="district", code="330502", policy_pack="huzhou"
    )
    s = tree.node_create(actor=actor, parent=d, name="月河街道", level="street", code="330502001000")
    c = tree.node_create(actor=actor, parent=s, name="月河社区", level="community", code="330502001001")
    k = tree.node_create(actor=actor, parent=c, name="锦绣小区", level="compound")
    b = tree.node_create(actor=actor, parent=k, name="1幢", level="building")
    w = tree.node_create(actor=actor, parent=b, name="1单元", level="stairwell")
    dwellings = [
        tree.dwelling_create(actor=actor, stairwell=w, number=f"{n}01", area=Decimal("89.47"), floor=n)
        for n in (1, 2, 3)
    ]
    return {
        "district": d,
        "street": s,
        "community": c,
        "compound": k,
        "building": b,
        "stairwell": w,
        "dwellings": dwellings,
    }


@pytest.fixture
def a_person(actor):
    return people.person_create(actor=actor, name="张三", id_number="11010519491231002X", phone="13812345678")


@pytest.fixture
def day():
    return dt.date(2026, 1, 1)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With GONGZHI_REQUIRE_BROWSER=1 (CI on PostgreSQL) a skipped browser test is a failure, not a skip."""
    outcome = yield
    report = outcome.get_result()
    import os

    if (
        os.environ.get("GONGZHI_REQUIRE_BROWSER") == "1"
        and report.skipped
        and item.get_closest_marker("browser")
    ):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped but GONGZHI_REQUIRE_BROWSER=1: {report.longrepr}"


@pytest.fixture
def postgres():
    """Concurrency tests need real row locks: skip, saying why, on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite serialises every write, so there is no race to test (SQLite run)"
        )


@pytest.fixture
def run_at_once():
    """Run jobs in threads released together by a barrier; returns each job's result or the exception it raised.
    Each thread closes its own database connections, so the test database can be dropped afterwards."""
    import threading

    from django.db import connections

    def run(jobs):
        barrier = threading.Barrier(len(jobs))
        outcomes: list[object] = [None] * len(jobs)

        def work(index, job):
            try:
                barrier.wait()
                outcomes[index] = job()
            except Exception as exc:  # noqa: BLE001 (collected and asserted by the test)
                outcomes[index] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return outcomes

    return run


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium; Playwright drives it instead of downloading its own
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # no calls home from the test machine
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    """Headless chromium for the browser journeys; skipped with the reason when it is not installed."""
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"chromium not installed: {CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop in this thread
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
