"""Working days per the official calendar, with make-up working days (§5 #18) and unknown years."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.workdays import (
    ChainProvider,
    ChineseCalendarProvider,
    StaticProvider,
    WorkCalendar,
    YearSchedule,
    check_schedule,
    parse_schedule,
)

from .conftest import RELAXED

D = dt.date
# An invented 2027 schedule for the tests (the State Council had not published it when this was written).
Y2027 = YearSchedule(
    2027,
    holidays=frozenset({D(2027, 1, 1), *(D(2027, 2, d) for d in range(5, 12))}),
    workdays=frozenset({D(2027, 2, 13)}),
    source="loaded",
)


def test_5_18_agrees_with_chinese_calendar_on_every_day_it_knows():
    cal = WorkCalendar()
    day, end = D(2004, 1, 1), D(2026, 12, 31)
    while day <= end:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert cal.is_official(2004) and cal.is_official(2026)


def test_5_18_spring_festival_2026_with_its_make_up_saturday():
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 2, 14))  # Saturday, make-up working day
    assert not cal.is_workday(D(2026, 2, 16)) and not cal.is_workday(D(2026, 2, 23))
    assert cal.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_5_18_national_day_2026_and_its_make_up_days():
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))  # Sunday, Saturday
    assert [cal.is_workday(D(2026, 10, d)) for d in range(1, 9)] == [False] * 7 + [True]
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)


def test_5_18_year_boundary_into_2026_new_year():
    cal = WorkCalendar()
    # 1 and 2 January are holidays, Sunday 4 January 2026 is a make-up working day.
    assert cal.add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert cal.workdays_between(D(2025, 12, 30), D(2026, 1, 5)) == 3  # 31 Dec, 4 Jan, 5 Jan


def test_2027_is_counted_monday_to_friday_and_marked_not_official():
    cal = WorkCalendar()
    assert not cal.is_official(2027)
    assert cal.is_workday(D(2027, 1, 1))  # a Friday: surely a holiday, but not official yet
    assert not cal.is_workday(D(2027, 1, 2))
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert cal.unofficial_years(D(2026, 12, 1), D(2027, 1, 8)) == (2027,)
    assert cal.unofficial_years(D(2026, 1, 1), D(2026, 12, 31)) == ()


def test_2027_after_loading_uses_the_loaded_schedule():
    cal = WorkCalendar(ChainProvider(StaticProvider({2027: Y2027}), ChineseCalendarProvider()))
    assert cal.is_official(2027) and cal.is_official(2026)
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 2, 13))  # make-up Saturday
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 12)


def test_a_loaded_schedule_wins_over_chinese_calendar_for_a_known_year():
    fix = YearSchedule(2026, holidays=frozenset({D(2026, 3, 2)}), source="loaded")
    cal = WorkCalendar(ChainProvider(StaticProvider({2026: fix}), ChineseCalendarProvider()))
    assert not cal.is_workday(D(2026, 3, 2)) and cal.is_workday(D(2026, 2, 16))


def test_chinese_calendar_provider_knows_nothing_of_2027():
    assert ChineseCalendarProvider().schedule(2027) is None
    assert ChineseCalendarProvider().schedule(2026).official


def test_negative_workday_count_is_refused():
    with pytest.raises(ValueError):
        WorkCalendar().add_workdays(D(2026, 1, 5), -1)


@RELAXED
@given(st.dates(D(2004, 1, 1), D(2027, 12, 1)), st.integers(0, 40))
def test_add_workdays_lands_on_a_workday_after_exactly_n_of_them(day, n):
    cal = WorkCalendar()
    end = cal.add_workdays(day, n)
    assert cal.is_workday(end) and end >= day
    if n:
        assert cal.workdays_between(day, end) == n


# --- the load-holidays file -------------------------------------------------------------------------------


def test_parse_text_with_ranges_chinese_kinds_and_comments():
    parsed = parse_schedule(
        "# 2027 国务院办公厅通知\n2027-01-01 holiday\n2027-02-05..2027-02-11 休\n2027-02-13 班  # 补班\n\n"
    )
    assert parsed.holidays == Y2027.holidays and parsed.workdays == Y2027.workdays
    assert parsed.year is None


def test_parse_json():
    parsed = parse_schedule(
        '{"year": 2027, "source": "国办发明电〔2026〕1号", "holidays": ["2027-01-01"], "workdays": ["2027-02-13"]}'
    )
    assert (parsed.year, parsed.source) == (2027, "国办发明电〔2026〕1号")
    assert parsed.holidays == {D(2027, 1, 1)} and parsed.workdays == {D(2027, 2, 13)}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("2027-01-01 holiday\n2027-13-01 holiday", 2),
        ("2027-01-01", 1),
        ("2027-01-01 vacation", 1),
        ("2027-02-11..2027-02-05 holiday", 1),
        ('{"holidays": ["not a date"]}', 0),
        ('{"year": "2027", "holidays": []}', 0),
        ("{broken json", 0),
    ],
)
def test_parse_errors_name_the_line(text, line):
    with pytest.raises(AppealRuleError) as info:
        parse_schedule(text)
    assert info.value.code == "schedule_unreadable" and info.value.params == {"line": line}


@pytest.mark.parametrize(
    ("year", "holidays", "workdays", "code"),
    [
        (2027, set(), set(), "schedule_empty"),
        (2027, {D(2026, 12, 31)}, set(), "date_outside_year"),
        (2027, {D(2027, 2, 13)}, {D(2027, 2, 13)}, "date_both_kinds"),
        (2027, {D(2027, 1, 1)}, {D(2027, 2, 12)}, "workday_not_weekend"),
        (1999, {D(1999, 1, 1)}, set(), "year_invalid"),
    ],
)
def test_check_schedule_refuses_impossible_schedules(year, holidays, workdays, code):
    with pytest.raises(AppealRuleError) as info:
        check_schedule(year, frozenset(holidays), frozenset(workdays))
    assert info.value.code == code


def test_check_schedule_accepts_a_plausible_year():
    check_schedule(2027, Y2027.holidays, Y2027.workdays)
