"""Issue 5 §5 browser journey: a building deliberation runs from topic to the notice on the stairwell board
(HZ-5.1.3.2.2.1–.6) in headless chromium, then on to who implements it and the residents' rating (§4). The vote
step records the building meeting's show of hands, counted by voting.tally's building rule; the meeting's
sign-in list and minutes feed the meeting step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.deliberation.models import Step, Topic


def login(browser, live_server, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-delib-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def take_step(page, target, fields):
    form = page.locator(f"form.step-form[data-target='{target}']")
    for name, value in fields.items():
        control = form.locator(f"[name='{name}']")
        if name in ("source", "format", "meeting"):
            control.select_option(value)
        elif name == "photo":
            control.set_input_files(value)
        else:
            control.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#stepper li[data-state='{target}'][data-status='current']")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_building_deliberation_runs_from_topic_to_the_stairwell_notice(
    live_server, browser, delib, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = login(browser, live_server, "d-bl")
    page.goto(f"{live_server.url}/topics/")
    page.click(f"a[href='/topics/new/{delib['building'].pk}/']")
    page.wait_for_selector("#topic-form")
    page.goto(f"{live_server.url}/topics/new/{delib['stairwell'].pk}/")
    page.fill("#id_title", "楼道堆物清理")
    page.select_option("#id_source", "building_leader_visit")
    page.select_option("#id_procedure", "building")
    page.click("#topic-form button[type=submit]")
    page.wait_for_selector("#stepper li[data-state='new'][data-status='current']")
    topic = Topic.objects.get(title="楼道堆物清理")
    assert page.locator("#stepper li[data-status='todo']").count() == 6

    take_step(page, "collected", {"document": "走访中居民反映", "source": "building_leader_visit"})
    take_step(page, "screened", {"document": "确认为楼道议题"})
    page.fill("#meeting-form [name=title]", "1单元楼道议事会")
    page.fill(
        "#meeting-form [name=starts_at]",
        (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("#sign-in-form")
    for name, capacity in (
        ("李楼长", "building_leader"),
        ("王网格", "grid_leader"),
        ("张一", "household_representative"),
    ):
        page.fill("#sign-in-form [name=name]", name)
        page.fill("#sign-in-form [name=capacity]", capacity)
        page.click("#sign-in-form button[type=submit]")
        page.wait_for_selector(f"#attendance li:has-text('{name}')")
    page.fill("#minutes-form [name=minutes]", "同意周末统一清理楼道堆物")
    page.click("#minutes-form button[type=submit]")
    page.wait_for_selector("#minutes:has-text('统一清理')")
    meeting = topic.meetings.get()
    page.goto(f"{live_server.url}/topics/{topic.pk}/")
    take_step(page, "meeting_held", {"document": "线下楼道会", "meeting": str(meeting.pk)})
    take_step(
        page,
        "voted",
        {
            "document": "举手表决",
            "vote_yes": "2",
            "vote_no": "0",
            "vote_abstain": "0",
            "vote_households": "3",
        },
    )
    photo = tmp_path / "notice.jpg"
    photo.write_bytes(b"\xff\xd8\xff notice")
    take_step(page, "notice_posted", {"document": "已张贴于1单元公告栏", "photo": str(photo)})

    done = [li.get_attribute("data-state") for li in page.locator("#stepper li[data-status='done']").all()]
    assert done == ["new", "collected", "screened", "meeting_held", "voted"]
    steps = {s.target: s for s in Step.objects.filter(topic=topic)}
    assert steps["meeting_held"].record["attendance"] == [
        "building_leader",
        "grid_leader",
        "household_representative",
    ]
    assert steps["voted"].record["vote"]["passed"] is True
    assert steps["notice_posted"].attachment.name.endswith(".jpg")
    assert page.locator("form.step-form[data-target='evaluated']").count() == 1

    # Issue 5 §4 after the vote: the building leader appoints who implements (HZ-5.1.3.2.1.5) and the resident
    # of 101 rates the result once the notice is up (HZ-5.1.3.2.2.7); the topic page and the notice show it.
    page.click("#followup-link")
    page.fill("#appoint-implementer", "锦绣物业")
    page.fill("#appoint-due", (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.fill("#appoint-standard", "楼道内无堆放杂物")
    page.click("#appoint-form button[type=submit]")
    page.wait_for_selector("#impl-state[data-state='open']")
    home = delib["dwellings"][0]
    resident = login(browser, live_server, "d-re")
    resident.goto(f"{live_server.url}/topics/{topic.pk}/followup/")
    resident.check(f"#rating-{home.pk}-5")
    resident.click(".appraise-form button[type=submit]")
    resident.wait_for_selector(f"[data-rated='{home.pk}']")
    assert "1户作答中1户" in resident.inner_text("#satisfaction")
    resident.goto(f"{live_server.url}/topics/{topic.pk}/notice/")
    assert "锦绣物业" in resident.inner_text("#stairwell-notice")
    assert topic.appraisals.get().rating == 5 and topic.implementation.implementer == "锦绣物业"
