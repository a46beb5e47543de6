"""End to end in headless chromium at phone size: log in, walk the tree down to a dwelling, see its area."""

from __future__ import annotations

import os
from base64 import b32decode
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_page(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(
            f"chromium not installed: {CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def shot(page, tmp_path: Path, name: str, *, full_page: bool = True) -> None:
    """Screenshots land in tmp_path, or in $GONGZHI_SCREENSHOTS when set (to look at the layout)."""
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def code_for(key: bytes) -> str:
    from django_otp.oath import totp

    return f"{totp(key):06d}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_walk_tree_to_dwelling_on_a_phone(live_server, site, actor, browser_page, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=actor, name="phone", confirmed=True)
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/account/verify/**")  # the administrator may reveal: code first
    page.fill("#otp-token", code_for(device.bin_key))
    page.click("#otp-verify button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_selector(".gz-chart svg")  # ECharts and our charts.js load from the static files
    shot(page, tmp_path, "1-home")
    page.click("text=浏览区划树")
    for name in ["吴兴区", "月河街道", "月河社区", "锦绣小区", "1幢", "1单元"]:
        page.click(f"#children a:has-text('{name}')")
        page.wait_for_selector(f"h1:has-text('{name}')")
        if name == "月河社区":
            shot(page, tmp_path, "2-community")
    shot(page, tmp_path, "3-stairwell")
    page.click("#dwellings a:has-text('101')")
    area = page.text_content("#dwelling-area")
    assert area is not None and "89.47" in area
    shot(page, tmp_path, "4-dwelling")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.click("#owners a:has-text('张三')")
    assert "138****5678" in (page.text_content("#phone") or "")
    shot(page, tmp_path, "5-person")
    page.goto(f"{live_server.url}/communities/{site['community'].pk}/compliance/")
    shot(page, tmp_path, "6-compliance")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_community_page_on_a_desktop(live_server, site, browser_page, tmp_path):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-123")
    page.click("button[type=submit]")
    # No authenticator yet: the security page, until one is set up and confirmed.
    page.wait_for_url(f"{live_server.url}/account/security/**")
    page.goto(f"{live_server.url}/tree/{site['community'].pk}/")
    page.wait_for_url(f"{live_server.url}/account/security/**")
    page.click("form:has(input[value=start]) button")
    key = (page.text_content("#otp-key") or "").strip()
    page.fill("input[name=token]", code_for(b32decode(key + "=" * (-len(key) % 8))))
    page.click("form:has(input[value=confirm]) button")
    page.wait_for_selector("#otp-status")
    page.goto(f"{live_server.url}/tree/{site['community'].pk}/")
    page.click("text=查看适用政策")  # htmx loads the policy table into the page
    page.wait_for_selector("#policy-entries")
    shot(page, tmp_path, "5-desktop-community", full_page=False)
