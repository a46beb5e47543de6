"""Issue 4 §4 browser journey in headless chromium (Binzhou ladder): a resident submits on a phone-sized screen;
the resident-group leader accepts and escalates; the community accepts and resolves; the resident rates; the
street sees it on its dashboard (issue 4 §3)."""

from __future__ import annotations

import pytest

from gongzhi.appeals.models import Appeal

from .cases_world import city_world

PHONE = {"width": 375, "height": 812}


def phone(browser, live_server, username, key=None):
    from django_otp.oath import totp

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-appeal-2026")
    page.click("button[type=submit]")
    if key is not None:  # the community worker may reveal personal data: a second factor at log-in
        page.wait_for_url(f"{live_server.url}/account/verify/**")
        page.fill("#otp-token", f"{totp(key):06d}")
        page.click("#otp-verify button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def take(page, live_server, appeal, name, **fields):
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    page.click(f"#action-{name}")
    for field, value in fields.items():
        page.fill(f"#{name}-{field}", value)
    page.click(f"form[action$='/act/{name}/'] button[type=submit]")
    page.wait_for_selector("#timeline")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_submit_on_a_phone_escalate_resolve_and_rate(live_server, browser, actor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    w = city_world(actor, "binzhou")
    key = TOTPDevice.objects.create(user=w["users"]["community_worker"], name="phone", confirmed=True).bin_key
    resident = phone(browser, live_server, "binzhou-r0")
    resident.goto(f"{live_server.url}/appeals/new/")
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    resident.select_option("#id_category", "safety")
    resident.fill("#id_description", "小区东门井盖松动，夜间有人绊倒")
    resident.click("#appeal-form button[type=submit]")
    resident.wait_for_selector("#timeline")
    appeal = Appeal.objects.get()
    assert appeal.step == "resident_group"

    leader = phone(browser, live_server, "binzhou-resident_group_leader")
    take(leader, live_server, appeal, "accept")
    take(leader, live_server, appeal, "escalate", reason="需社区协调相关单位")
    assert Appeal.objects.get().step == "community"

    community = phone(browser, live_server, "binzhou-community_worker", key)
    take(community, live_server, appeal, "accept")
    take(community, live_server, appeal, "resolve", resolution="已协调市政更换井盖")
    assert Appeal.objects.get().state == "resolved"

    resident.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    assert "已协调市政更换井盖" in resident.text_content("#resolution")
    resident.click("#action-confirm")
    resident.select_option("#confirm-rating", "5")
    resident.click("form[action$='/act/confirm/'] button[type=submit]")
    resident.wait_for_selector("#rating")
    assert Appeal.objects.get().state == "closed" and Appeal.objects.get().rating == 5
    timeline = resident.text_content("#timeline") or ""
    assert "居民小组长" in timeline and "社区工作者" in timeline and "binzhou-" not in timeline

    # The street sees it on its dashboard: resolved at the community (at or below community level), rated 5.
    street = phone(browser, live_server, "binzhou-street_officer")
    street.click(".navbar-toggler")  # the phone's collapsed menu
    street.click("a[href='/oversight/']")
    street.click(f"a[href='/oversight/{w['street'].pk}/dashboard/']")
    street.wait_for_selector("#key-figures")
    assert street.text_content("#fig-submitted") == "1"
    assert street.text_content("#fig-low-share") == "100.0%"
    assert street.text_content("#cell-mean") == "5.00"
    flow = street.text_content("#table-flow") or ""
    assert "居民小组" in flow and "在社区解决" in flow
    street.wait_for_selector("[data-gz-dash='flow'] svg")  # ECharts drew the flow from level to level
