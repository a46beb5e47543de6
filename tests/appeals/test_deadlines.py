"""Per-level deadlines, reminders and overdue flags (§5 #16, #18, #19, #22) on the official calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.appeals.deadlines import (
    SHANGHAI,
    DeadlineRule,
    case_deadlines,
    compute_deadline,
    confirmation_expires,
    deadline_rule,
    needs_recompute,
    supervision_deadline,
)
from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.workdays import (
    ChainProvider,
    ChineseCalendarProvider,
    StaticProvider,
    WorkCalendar,
    YearSchedule,
)
from gongzhi.policy.packs import pack_policy

from .conftest import CITIES, RELAXED, ladders, policy_with

D = dt.date
CAL = WorkCalendar()


def at(y, m, d, h=9, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("level", "days"),
    [
        ("building", 7),
        ("compound", 7),
        ("resident_group", 7),
        ("community", 15),
        ("street", 30),
        ("district", 30),
    ],
)
def test_5_22_reminder_days_per_level_in_calendar_days(level, days):
    rule = deadline_rule(pack_policy("binzhou"), level)
    assert (rule.days, rule.unit, rule.clause) == (days, "calendar_days", "§5#22")


@pytest.mark.parametrize("city", CITIES)
def test_5_22_every_rung_of_every_city_has_a_deadline(city):
    for ladder in ladders(city).tracks.values():
        for step in ladder.steps:
            assert deadline_rule(pack_policy(city), step.level).days in (7, 15, 30)


def test_unknown_level_has_no_deadline():
    with pytest.raises(AppealRuleError) as info:
        deadline_rule(pack_policy("binzhou"), "stairwell")
    assert info.value.code == "no_deadline_for_level"


def test_5_22_bz_resident_group_7_days_from_the_day_after_arrival():
    d = compute_deadline(at(2026, 3, 2), deadline_rule(pack_policy("binzhou"), "resident_group"), CAL)
    assert d.due_date == D(2026, 3, 9) and d.official
    assert d.due_at == dt.datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=SHANGHAI)  # §5 #16


def test_5_18_a_due_date_on_national_day_moves_to_the_next_working_day():
    rule = deadline_rule(pack_policy("binzhou"), "community")  # 15 days
    assert compute_deadline(at(2026, 9, 16), rule, CAL).due_date == D(2026, 10, 8)


def test_5_18_a_due_date_on_a_make_up_saturday_stays():
    rule = DeadlineRule(days=7)
    assert compute_deadline(at(2026, 2, 7), rule, CAL).due_date == D(2026, 2, 14)


def test_without_rolling_a_calendar_deadline_ignores_the_calendar():
    rule = DeadlineRule(days=15, roll_to_workday=False)
    assert compute_deadline(at(2026, 9, 16), rule, CAL).due_date == D(2026, 10, 1)


def test_working_days_unit_counts_the_official_calendar():
    policy = policy_with("binzhou", appeals__deadline__unit="working_days")
    rule = deadline_rule(policy, "resident_group")
    # from Friday 13 Feb 2026: Sat 14 (make-up), then Tue 24 Feb onwards
    assert compute_deadline(at(2026, 2, 13), rule, CAL).due_date == D(2026, 3, 2)


def test_the_local_date_decides_not_utc():
    rule = DeadlineRule(days=7)
    late_utc = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)  # 01:00 on 2 March in Shanghai
    assert compute_deadline(late_utc, rule, CAL).due_date == D(2026, 3, 9)
    assert (
        compute_deadline(at(2026, 3, 2, 0, 1), rule, CAL).due_date
        == compute_deadline(at(2026, 3, 2, 23, 59), rule, CAL).due_date
    )


def test_naive_start_is_refused():
    with pytest.raises(AppealRuleError):
        compute_deadline(dt.datetime(2026, 3, 2, 9), DeadlineRule(days=7), CAL)


def test_5_22_overdue_from_the_next_day_and_reminded_weekly():
    d = compute_deadline(at(2026, 3, 2), DeadlineRule(days=7, repeat_days=7), CAL)
    assert not d.is_overdue(at(2026, 3, 9, 23, 59)) and d.reminders_due(at(2026, 3, 9, 23, 59)) == 0
    assert d.is_overdue(at(2026, 3, 10, 0, 0)) and d.reminders_due(at(2026, 3, 10, 0, 0)) == 1
    assert d.reminders_due(at(2026, 3, 16, 23)) == 1 and d.reminders_due(at(2026, 3, 17, 0)) == 2
    assert d.reminder_at(2) == at(2026, 3, 17, 0)


def test_2027_deadline_is_marked_not_official_until_the_schedule_is_loaded():
    rule = DeadlineRule(days=7)
    d = compute_deadline(at(2026, 12, 28), rule, CAL)
    assert d.due_date == D(2027, 1, 4) and not d.official and d.unofficial_years == (2027,)
    assert not needs_recompute(d, CAL)
    loaded = YearSchedule(2027, holidays=frozenset({D(2027, 1, 4)}), source="loaded")
    after = WorkCalendar(ChainProvider(StaticProvider({2027: loaded}), ChineseCalendarProvider()))
    assert needs_recompute(d, after)
    again = compute_deadline(at(2026, 12, 28), rule, after)
    assert again.official and again.due_date == D(2027, 1, 5)


@pytest.mark.parametrize("severity", ["major", "emergency"])
def test_5_19_major_cases_alert_in_15_minutes_and_report_up_in_an_hour(severity):
    t = at(2026, 3, 2, 10)
    cd = case_deadlines(
        arrived_at=t, level="community", severity=severity, policy=pack_policy("cangzhou"), calendar=CAL
    )
    assert cd.alert_by == t + dt.timedelta(minutes=15)
    assert cd.report_upward_by == t + dt.timedelta(hours=1)
    assert cd.acknowledge_by == t + dt.timedelta(hours=24)
    assert cd.resolve.due_date == D(2026, 3, 17)


def test_5_19_normal_cases_have_no_alert():
    cd = case_deadlines(
        arrived_at=at(2026, 3, 2),
        level="street",
        severity="normal",
        policy=pack_policy("ningbo"),
        calendar=CAL,
    )
    assert cd.alert_by is None and cd.resolve.due_date == D(2026, 4, 1)


def test_bz_7_2_supervision_due_ends_that_day():
    d = supervision_deadline(D(2026, 3, 6), at(2026, 3, 2))
    assert d.due_at == dt.datetime(2026, 3, 6, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert d.is_overdue(at(2026, 3, 7, 0, 0))


def test_5_27_confirmation_expires_after_7_days():
    assert confirmation_expires(at(2026, 3, 2), pack_policy("huzhou")) == at(2026, 3, 9)


# --- properties ---------------------------------------------------------------------------------------------

RULES = st.builds(
    DeadlineRule,
    days=st.integers(0, 40),
    unit=st.sampled_from(["calendar_days", "working_days"]),
    roll_to_workday=st.booleans(),
)
# Cheap draws (a date and a minute of the day): the machine is shared, and slow generation fails health checks.
STARTS = st.builds(
    lambda day, minute: dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=SHANGHAI),
    st.dates(D(2024, 1, 1), D(2027, 11, 30)),
    st.integers(0, 1439),
)


@RELAXED
@given(RULES, STARTS, STARTS)
def test_deadlines_are_monotonic_in_the_start(rule, a, b):
    a, b = min(a, b), max(a, b)
    assert compute_deadline(a, rule, CAL).due_date <= compute_deadline(b, rule, CAL).due_date


@RELAXED
@given(RULES, STARTS, st.dates(D(2024, 1, 1), D(2028, 2, 28)))
def test_adding_a_holiday_never_makes_a_deadline_earlier(rule, start, extra):
    base = ChineseCalendarProvider()
    year = base.schedule(extra.year) or YearSchedule(extra.year, source="loaded")
    more = YearSchedule(extra.year, year.holidays | {extra}, year.workdays - {extra}, "loaded")
    with_holiday = WorkCalendar(ChainProvider(StaticProvider({extra.year: more}), base))
    before = compute_deadline(
        start, rule, WorkCalendar(ChainProvider(StaticProvider({extra.year: year}), base))
    )
    assert compute_deadline(start, rule, with_holiday).due_date >= before.due_date
