"""Issue 4 §4 browser journey in headless chromium: a directive cascades from the district to the street and
on to the community, each unit acts on its own part, and the issuer sees it roll up when all complete."""

from __future__ import annotations

import pytest

from gongzhi.directives.models import Assignment

from .conftest import due


def log_in(browser, live_server, user):
    """Officers and workers owe a second factor at log-in: each gets a confirmed authenticator."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-dir-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/account/verify/**")
    page.fill("#otp-token", f"{totp(device.bin_key):06d}")
    page.click("#otp-verify button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def unit(page, name):
    return page.locator(f"#cascade li[data-unit='{name}']").first


def step(page, name, button):
    with page.expect_navigation():
        unit(page, name).locator(".steps").first.locator(
            f"button:has-text('{button}'), a:has-text('{button}')"
        ).first.click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_directive_cascades_three_levels_and_rolls_up(live_server, browser, site):
    users, url = site["users"], live_server.url
    district = log_in(browser, live_server, users["do"])
    district.goto(f"{url}/directives/")
    district.click(f"a:has-text('在{site['district'].name}下达工作任务')")
    for field, value in {
        "title": "加装电梯意愿摸排",
        "content": "逐户摸排老旧小区加装电梯意愿。",
        "basis": "区政府民生实事",
        "project": "老旧小区加装电梯",
        "plan": "摸排、公示、实施",
        "responsible_leader": "王副区长",
        "working_group": "区住建局、各街道",
        "timetable": "四周内完成",
        "due_date": due(30).isoformat(),
    }.items():
        district.fill(f"#id_{field}", value)
    district.check(f"#field-units label:has-text('{site['street'].name}') input")
    district.select_option("#id_access_item", label=str(site["items"]["allowed"]))
    with district.expect_navigation():
        district.click("#directive-form button[type=submit]")
    assert "已接收" in (unit(district, site["street"].name).text_content() or "")
    directive_url = district.url

    street = log_in(browser, live_server, users["so"])
    street.goto(directive_url)
    step(street, site["street"].name, "签收")
    step(street, site["street"].name, "分解下派")
    street.check(f"#field-units label:has-text('{site['community'].name}') input")
    street.fill("#id_units_due", due(20).isoformat())
    with street.expect_navigation():
        street.click("#split-form button[type=submit]")
    assert unit(street, site["community"].name).is_visible()

    community = log_in(browser, live_server, users["cw"])
    community.goto(directive_url)
    assert unit(community, site["street"].name).count() == 0  # the community sees its own part only
    step(community, site["community"].name, "签收")
    step(community, site["community"].name, "报告进展")
    community.fill("#id_percent", "60")
    community.fill("#id_text", "已摸排60%。")
    with community.expect_navigation():
        community.click("#progress-form button[type=submit]")
    district.goto(directive_url)
    assert "60%" in (unit(district, site["street"].name).locator(".percent").first.text_content() or "")

    step(community, site["community"].name, "办结")
    street.goto(directive_url)
    step(street, site["street"].name, "办结")
    assert set(Assignment.objects.values_list("state", flat=True)) == {"completed"}
    district.goto(directive_url)
    assert "已完成" in (district.text_content("#summary") or "")
    district.goto(f"{url}/directives/")
    assert "已完成" in (district.text_content("#directives") or "")
