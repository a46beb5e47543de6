"""Loading the State Council's schedule for a year chinese-calendar does not know (§5 #18): service, command,
the database-backed calendar, audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from gongzhi.appeals.deadlines import SHANGHAI, DeadlineRule, compute_deadline, needs_recompute
from gongzhi.appeals.models import HolidaySchedule
from gongzhi.appeals.selectors import holiday_years_loaded, work_calendar
from gongzhi.appeals.services import holiday_schedule_load
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Forbidden, InvalidInput

D = dt.date
HOLIDAYS = {D(2027, 1, 1), *(D(2027, 2, d) for d in range(5, 12))}
WORKDAYS = {D(2027, 2, 13)}
SOURCE = "国办发明电〔2026〕测试号"

pytestmark = pytest.mark.django_db


def load(actor, **kw):
    args = {"year": 2027, "holidays": HOLIDAYS, "workdays": WORKDAYS, "source": SOURCE} | kw
    return holiday_schedule_load(actor=actor, **args)


def test_loading_2027_makes_its_deadlines_official_and_is_audited(actor):
    start = dt.datetime(2027, 1, 29, 10, tzinfo=SHANGHAI)
    before = compute_deadline(start, DeadlineRule(days=7), work_calendar())
    assert not before.official and before.due_date == D(2027, 2, 5)
    rows = load(actor)
    assert len(rows) == 9 and {r.loaded_by for r in rows} == {actor}
    cal = work_calendar()
    assert needs_recompute(before, cal)
    after = compute_deadline(start, DeadlineRule(days=7), cal)
    assert after.official and after.due_date == D(2027, 2, 12)
    assert cal.is_workday(D(2027, 2, 13)) and not cal.is_workday(D(2027, 1, 1))
    entry = AuditEntry.objects.get(action="appeals.holiday_schedule_loaded")
    assert entry.actor_id == actor.pk and entry.before is None
    assert entry.after["year"] == 2027 and "2027-02-13" in entry.after["workdays"]
    assert holiday_years_loaded() == [2027]


def test_loading_again_replaces_the_year_and_audits_what_was_there(actor):
    load(actor)
    load(actor, holidays={D(2027, 1, 1)}, workdays=set(), source="更正")
    assert list(HolidaySchedule.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]
    entries = list(AuditEntry.objects.filter(action="appeals.holiday_schedule_loaded").order_by("seq"))
    assert len(entries) == 2 and entries[1].before["source"] == SOURCE
    assert work_calendar().is_workday(D(2027, 2, 8))


def test_only_an_administrator_loads_and_a_refusal_writes_nothing(actor, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", password="pw-clerk-123", is_staff=True)
    with pytest.raises(Forbidden) as info:
        load(clerk)
    assert info.value.code == "admin_only"
    assert not HolidaySchedule.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"source": " "}, "source_required"),
        ({"source": "x" * 301}, "source_too_long"),
        ({"holidays": {D(2026, 12, 31)}}, "date_outside_year"),
        ({"workdays": {D(2027, 2, 12)}}, "workday_not_weekend"),
        ({"holidays": set()}, "schedule_empty"),
        ({"year": 2026, "holidays": {D(2026, 3, 2)}, "workdays": set()}, "year_already_official"),
    ],
)
def test_bad_schedules_are_refused_with_a_message_and_nothing_written(actor, kw, code):
    with pytest.raises(InvalidInput) as info:
        load(actor, **kw)
    assert info.value.code == code and str(info.value)
    assert not HolidaySchedule.objects.exists() and not AuditEntry.objects.exists()


def test_replacing_a_year_chinese_calendar_knows_needs_the_explicit_flag(actor):
    load(actor, year=2026, holidays={D(2026, 3, 2)}, workdays=set(), replace_official=True)
    cal = work_calendar()
    assert not cal.is_workday(D(2026, 3, 2)) and cal.is_workday(D(2026, 2, 16))


def test_the_message_is_chinese_first(actor):
    with pytest.raises(InvalidInput) as info:
        load(actor, source="")
    assert "通知" in str(info.value)


# --- gongzhi load-holidays YEAR FILE ---------------------------------------------------------------------


def test_command_loads_a_text_file(tmp_path, actor, capsys):
    path = tmp_path / "2027.txt"
    path.write_text(
        "# 2027\n2027-01-01 休\n2027-02-05..2027-02-11 holiday\n2027-02-13 班\n", encoding="utf-8"
    )
    call_command("load-holidays", "2027", str(path), "--source", SOURCE, "--as-user", "admin")
    assert "8 holidays, 1 make-up working days" in capsys.readouterr().out
    assert HolidaySchedule.objects.filter(year=2027, kind="workday").get().date == D(2027, 2, 13)
    assert AuditEntry.objects.get().actor_id == actor.pk


def test_command_loads_a_json_file_with_its_source(tmp_path):
    path = tmp_path / "2027.json"
    data = {"year": 2027, "source": SOURCE, "holidays": ["2027-01-01"], "workdays": ["2027-02-13"]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load-holidays", "2027", str(path))
    assert HolidaySchedule.objects.first().source == SOURCE
    assert AuditEntry.objects.get().actor_id is None


@pytest.mark.parametrize(
    ("content", "year", "message"),
    [
        ('{"year": 2028, "source": "s", "holidays": ["2028-01-03"]}', "2027", "is for 2028"),
        ("2027-01-01 sometimes", "2027", "2"),
        ("2027-01-01 holiday", "2027", "通知"),
    ],
)
def test_command_errors_write_nothing(tmp_path, content, year, message):
    path = tmp_path / "f.txt"
    path.write_text(content if content != "2027-01-01 sometimes" else "# x\n" + content, encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("load-holidays", year, str(path))
    assert message in str(info.value)
    assert not HolidaySchedule.objects.exists()


def test_command_missing_file_and_unknown_user(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load-holidays", "2027", str(tmp_path / "none.txt"))
    path = tmp_path / "f.txt"
    path.write_text("2027-01-01 holiday", encoding="utf-8")
    with pytest.raises(CommandError, match="no user named"):
        call_command("load-holidays", "2027", str(path), "--as-user", "nobody")


def test_loading_a_year_recomputes_open_deadlines_counted_monday_to_friday(actor):
    """§5 #18: a case that arrived on 2027-01-29 was due 2027-02-05 counted Monday–Friday; once the schedule is
    loaded (2–05…2–11 off) it is due on the next working day, 2027-02-12, with a timeline line and an audit."""
    from gongzhi.appeals import cases
    from gongzhi.appeals.models import Appeal, AppealEvent

    from .cases_world import city_world

    w = city_world(actor, "binzhou")
    appeal = cases.appeal_submit(
        actor=w["users"]["resident0"], dwelling=w["homes"][0], category="safety", description="门禁坏了"
    ).appeal
    closed = cases.appeal_submit(
        actor=w["users"]["resident1"], dwelling=w["homes"][1], category="safety", description="门禁坏了"
    ).appeal
    arrived = dt.datetime(2027, 1, 29, 10, tzinfo=SHANGHAI)
    Appeal.objects.filter(pk__in=[appeal.pk, closed.pk]).update(
        arrived_at=arrived, due_date=D(2027, 2, 5), calendar_official=False, overdue=True
    )
    Appeal.objects.filter(pk=closed.pk).update(state="closed")
    load(actor)
    appeal.refresh_from_db()
    assert (appeal.due_date, appeal.calendar_official, appeal.overdue) == (D(2027, 2, 12), True, False)
    line = AppealEvent.objects.get(appeal=appeal, transition="deadline_recomputed")
    assert line.record == {"from": "2027-02-05", "to": "2027-02-12", "year": 2027} and line.actor == actor
    entry = AuditEntry.objects.get(action="appeals.deadline_recomputed")
    assert entry.object_id == str(appeal.pk) and entry.after["due_date"] == "2027-02-12"
    closed.refresh_from_db()
    assert (closed.due_date, closed.calendar_official) == (
        D(2027, 2, 5),
        False,
    )  # closed cases stay as they were
    load(actor)  # loading the same schedule again changes nothing more
    assert AppealEvent.objects.filter(transition="deadline_recomputed").count() == 1


# --- the page and the API (administrators) -------------------------------------------------------------------


@pytest.fixture
def admin_client(django_user_model):
    from django.test import Client

    admin = django_user_model.objects.create_superuser("cal-admin", password="cal-admin-pw-1")
    client = Client()
    client.force_login(admin)
    return client


def test_page_shows_the_unofficial_year_and_loads_a_schedule(admin_client):
    page = admin_client.get("/appeals/holidays/").content.decode()
    assert "2027" in page and "节假日安排尚未正式公布" in page
    response = admin_client.post(
        "/appeals/holidays/",
        {
            "year": 2027,
            "schedule": "2027-01-01 holiday\n2027-02-05..2027-02-11 休\n2027-02-13 班",
            "source": SOURCE,
        },
    )
    assert response.status_code == 302
    assert holiday_years_loaded() == [2027] and work_calendar().is_official(2027)
    assert SOURCE in admin_client.get("/appeals/holidays/").content.decode()


@pytest.mark.parametrize(
    "schedule, message",
    [
        ("2027-01-01 maybe", "无法读取"),  # schedule_unreadable
        ("2028-01-01 holiday", "不在"),  # date_outside_year
        ('{"year": 2028, "holidays": ["2028-01-01"]}', "不是"),  # schedule_year_mismatch
    ],
)
def test_page_refuses_a_bad_schedule_with_a_message_and_writes_nothing(admin_client, schedule, message):
    response = admin_client.post("/appeals/holidays/", {"year": 2027, "schedule": schedule, "source": SOURCE})
    assert response.status_code == 400 and message in response.content.decode()
    assert not HolidaySchedule.objects.exists()


def test_page_and_api_are_for_administrators_only(django_user_model):
    from django.test import Client

    staff = django_user_model.objects.create_user("cal-staff", password="cal-staff-pw-1", is_staff=True)
    client = Client()
    client.force_login(staff)  # staff, not an administrator
    assert client.get("/appeals/holidays/").status_code == 403
    assert client.get("/api/v1/holidays").status_code == 403
    body = json.dumps({"year": 2027, "holidays": ["2027-01-01"], "source": SOURCE})
    assert client.post("/api/v1/holidays", body, content_type="application/json").status_code == 403
    assert not HolidaySchedule.objects.exists()


def test_api_loads_a_year_and_lists_it(admin_client):
    body = {"year": 2027, "holidays": sorted(d.isoformat() for d in HOLIDAYS), "workdays": ["2027-02-13"]}
    response = admin_client.post(
        "/api/v1/holidays", json.dumps(body | {"source": SOURCE}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    year = response.json()
    assert (year["year"], year["official"], year["origin"], year["notice"]) == (2027, True, "loaded", SOURCE)
    assert year["workdays"] == ["2027-02-13"] and len(year["holidays"]) == 8
    listed = {y["year"]: y for y in admin_client.get("/api/v1/holidays").json()}
    assert listed[2027]["official"] and listed[2026]["origin"] == "chinese_calendar"
    bad = admin_client.post(
        "/api/v1/holidays",
        json.dumps({"year": 2028, "holidays": ["2027-05-01"], "source": SOURCE}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "date_outside_year"
    assert holiday_years_loaded() == [2027]
