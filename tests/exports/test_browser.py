"""End to end at phone size in headless chromium: a community worker requests the roster export from the
community's page, a street officer approves it, the worker downloads the watermarked file."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gongzhi.roster.columns import WATERMARK_MARK

from .conftest import PURPOSE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-export-123"


@pytest.fixture
def phone(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(
            f"chromium not installed: {CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        contexts = []

        def new_context():
            context = browser.new_context(
                viewport=PHONE, locale="zh-CN", is_mobile=True, accept_downloads=True
            )
            contexts.append(context)
            return context

        yield new_context
        for context in contexts:
            context.close()
        browser.close()


def shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"exports-{name}.png"), full_page=True)


AUTHENTICATORS: dict[str, bytes] = {}


@pytest.fixture
def passwords(worker, street_officer):
    """Set before the browser starts: ORM calls once Playwright's loop runs would open a second connection.
    The community worker may reveal personal data, so it also gets an authenticator (second factor at log-in)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in (worker, street_officer):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    AUTHENTICATORS.clear()
    AUTHENTICATORS[worker.username] = TOTPDevice.objects.create(
        user=worker, name="phone", confirmed=True
    ).bin_key


def log_in(context, url, user):
    from django_otp.oath import totp

    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if user.username in AUTHENTICATORS:
        page.wait_for_url(f"{url}/account/verify/**")
        page.fill("#otp-token", f"{totp(AUTHENTICATORS[user.username]):06d}")
        page.click("#otp-verify button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_request_approve_download_on_a_phone(
    live_server, worker, street_officer, small_tree, residents, passwords, tmp_path, phone
):
    url = live_server.url
    page = log_in(phone(), url, worker)
    page.goto(f"{url}/tree/{small_tree['community'].pk}/")
    page.click("#request-export")
    page.fill("#id_purpose", PURPOSE)
    shot(page, tmp_path, "1-form")
    assert no_sideways_scroll(page)
    page.click("#send")
    page.wait_for_selector("#status:has-text('待审批')")
    shot(page, tmp_path, "2-requested")

    officer = log_in(phone(), url, street_officer)
    officer.goto(f"{url}/exports/awaiting/")
    officer.click("#awaiting a")
    officer.fill("#note", "同意，限春节慰问使用")
    shot(officer, tmp_path, "3-decide")
    assert no_sideways_scroll(officer)
    officer.click("#approve")
    officer.wait_for_selector("#status:has-text('已批准')")

    page.reload()
    with page.expect_download() as info:
        page.click("#download")
    content = Path(info.value.path()).read_bytes()
    band = load_workbook(io.BytesIO(content))["人员"]["A1"].value
    assert band.startswith(WATERMARK_MARK) and PURPOSE in band and "老李" in band
    page.reload()
    shot(page, tmp_path, "4-downloaded")
    assert "已下载" in (page.text_content("#status") or "")
