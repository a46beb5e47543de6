"""Issue 5 §5 browser journeys in headless chromium: an owner votes on a phone-sized screen and finds their
receipt in the published list; two staff enter a paper ballot with a deliberate mismatch."""

from __future__ import annotations

import pytest

from gongzhi.voting import services

from .conftest import START, end_voting, make_vote

PHONE = {"width": 390, "height": 844}


def phone(browser, live_server, username):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-vote-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_votes_on_a_phone_and_finds_the_receipt(live_server, browser, actor, compound):
    vote = make_vote(actor, compound["compound"])
    page = phone(browser, live_server, "u-zhang")
    page.goto(f"{live_server.url}/votes/")
    page.click(f"#votes a:has-text('{vote.title}')")
    page.click("a:has-text('投票')")
    page.click("button:has-text('同意')")
    receipt = (page.text_content("#receipt") or "").strip()
    assert len(receipt) == 19
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    services.vote_close(actor=actor, vote=end_voting(vote))
    services.vote_publish(actor=actor, vote=vote)
    page.goto(f"{live_server.url}/votes/{vote.pk}/mine/")
    page.click("a:has-text('在公布名单中查找')")
    assert page.locator(f"#receipt-list code:has-text('{receipt}')").count() == 1
    page.goto(f"{live_server.url}/votes/{vote.pk}/lookup/")
    page.fill("#code", receipt.lower())
    page.click("button:has-text('核对')")
    found = page.text_content("#found") or ""
    assert "已按所投计入" in found and "同意" in found and "1幢-1单元-101" in found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_staff_enter_a_paper_ballot_with_a_mismatch(live_server, browser, actor, compound, tmp_path):
    from gongzhi.accounts import services as accounts

    # Two members of the owners' committee run the count (community workers owe a second factor at log-in).
    for username in ("u-oc1", "u-oc2"):
        user = accounts.user_create(actor=actor, username=username, password="pw-vote-2026", is_staff=True)
        accounts.role_assign(
            actor=actor, user=user, role="owners_committee_member", node=compound["compound"], start=START
        )
    vote = make_vote(actor, compound["compound"])
    scan = tmp_path / "ballot.png"
    scan.write_bytes(b"\x89PNG scan")
    option = f"{compound['d1'].pk}:{compound['owners']['zhang'].pk}"
    for username, choice in (("u-oc1", "yes"), ("u-oc2", "no")):
        page = phone(browser, live_server, username)
        page.goto(f"{live_server.url}/votes/{vote.pk}/paper/")
        page.select_option("#id_pick", option)
        page.check(f"#choice-{choice}")
        page.set_input_files("#id_scan", str(scan))
        page.click("button:has-text('保存本次录入')")
        page.wait_for_load_state()
    assert "不一致" in (page.text_content(".alert-danger") or "")
    assert page.locator("#readings tr.table-danger").count() == 2
    first = phone(browser, live_server, "u-oc1")
    first.goto(f"{live_server.url}/votes/{vote.pk}/paper/")
    assert first.locator("#readings tr.table-danger").count() == 2  # both staff see the conflict
    assert not vote.ballots.exists()
