"""Issue 4 §3 in headless chromium on a phone-sized screen: the unread badge in the navigation, the centre's
list with unread notices highlighted, marking one and then all read."""

from __future__ import annotations

import os

import pytest

from .conftest import leave


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_badge_list_and_marking_read(live_server, browser, pair):
    for n in (1, 2):
        leave(pair, params={"id": n, "category": "safety"})
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "n-me")
    page.fill("#id_password", "pw-notice-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#unread-badge-phone").inner_text().startswith("2")  # beside the menu on a phone
    page.goto(f"{live_server.url}/notices/")
    assert page.locator("#notices li[data-unread='1']").count() == 2
    assert "紧急" in page.locator("#notices").inner_text()
    if os.environ.get("GONGZHI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["GONGZHI_SCREENSHOTS"], "notices.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#notices li[data-unread='1'] .mark-read").first.click()
    assert page.locator("#notices li[data-unread='1']").count() == 1
    assert page.locator("#unread-badge-phone").inner_text().startswith("1")
    with page.expect_navigation():
        page.click("#read-all")
    assert page.locator("#notices li[data-unread='1']").count() == 0
    assert page.locator("#unread-badge-phone").count() == 0 and page.locator("#unread-badge").count() == 0
