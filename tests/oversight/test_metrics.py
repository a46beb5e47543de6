"""oversight.metrics, the dashboards' arithmetic (issue 4 §3): periods, shares, the median, satisfaction
(§5 #27), the flow between levels (BZ-3.1) and the weekly agenda's groups (BZ-5.2.4.1(b))."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.oversight import metrics as m
from gongzhi.oversight.metrics import CaseGroup as G

D = dt.date


# --- periods ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "today", "start", "end"),
    [
        ("month", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
        ("month", D(2024, 2, 29), D(2024, 2, 1), D(2024, 2, 29)),
        ("month", D(2025, 12, 31), D(2025, 12, 1), D(2025, 12, 31)),
        ("quarter", D(2026, 1, 1), D(2026, 1, 1), D(2026, 3, 31)),
        ("quarter", D(2026, 6, 30), D(2026, 4, 1), D(2026, 6, 30)),
        ("quarter", D(2026, 8, 15), D(2026, 7, 1), D(2026, 9, 30)),
        ("quarter", D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
        ("year", D(2026, 5, 5), D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_period_of_contains_today(kind, today, start, end):
    period = m.period_of(kind, today)
    assert (period.start, period.end) == (start, end)
    assert period.contains(today) and not period.contains(end + dt.timedelta(days=1))


def test_default_period_is_this_quarter():
    assert m.parse_period("", D(2026, 5, 20)) == m.Period("quarter", D(2026, 4, 1), D(2026, 6, 30))


def test_custom_period_from_to_both_days_included():
    period = m.parse_period("", D(2026, 5, 20), "2026-01-10", "2026-01-10")
    assert period.kind == "custom" and period.days == 1


@pytest.mark.parametrize(
    ("kind", "start", "end", "code"),
    [
        ("week", "", "", "period_unknown"),
        ("custom", "", "", "period_dates"),
        ("", "2026-01-10", "", "period_dates"),
        ("", "2026-13-01", "2026-12-01", "period_dates"),
        ("", "2026-02-01", "2026-01-31", "period_order"),
        ("", "2020-01-01", "2026-01-31", "period_too_long"),
    ],
)
def test_bad_periods_are_refused_with_a_code(kind, start, end, code):
    with pytest.raises(m.PeriodError) as exc:
        m.parse_period(kind, D(2026, 5, 20), start, end)
    assert exc.value.code == code


def test_meeting_day_is_monday_unless_the_pack_says_otherwise():
    """BZ-5.2.4.1: one meeting a week; Monday of the ISO week by default."""
    assert m.meeting_day(D(2026, 1, 15)) == D(2026, 1, 12)  # a Thursday → its Monday
    assert m.meeting_day(D(2026, 1, 18)) == D(2026, 1, 12)  # Sunday belongs to the same ISO week
    assert m.meeting_day(D(2026, 1, 15), weekday=2) == D(2026, 1, 14)
    with pytest.raises(m.PeriodError):
        m.meeting_day(D(2026, 1, 15), weekday=7)


def test_the_coming_meeting_is_this_weeks_until_it_has_passed():
    assert m.next_meeting(D(2026, 1, 12)) == D(2026, 1, 12)  # Monday: the meeting is today
    assert m.next_meeting(D(2026, 1, 13)) == D(2026, 1, 19)  # Tuesday: next Monday's
    assert m.next_meeting(D(2026, 1, 13), weekday=3) == D(2026, 1, 15)


# --- arithmetic ------------------------------------------------------------------------------------------------


def test_median_of_an_odd_count_is_the_middle_value():
    assert m.weighted_median([(5, 1), (1, 1), (3, 1)]) == 3


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert m.weighted_median([(1, 1), (2, 1), (4, 1), (9, 1)]) == 3
    assert m.weighted_median([(1, 1), (2, 1)]) == Fraction(3, 2)


def test_median_with_counts_and_the_middle_inside_one_value():
    assert m.weighted_median([(0, 3), (10, 1)]) == 0
    assert m.weighted_median([(0, 2), (10, 2)]) == 5
    assert m.weighted_median([(7, 4)]) == 7


def test_median_of_nothing_is_none_not_zero():
    assert m.weighted_median([]) is None
    assert m.weighted_median([(4, 0)]) is None


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40))
def test_weighted_median_agrees_with_the_plain_median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    plain = Fraction(ordered[mid]) if len(ordered) % 2 else Fraction(ordered[mid - 1] + ordered[mid], 2)
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    assert m.weighted_median(counts.items()) == plain


def test_rate_is_exact_and_none_for_nothing():
    assert m.rate(1, 3) == Fraction(1, 3)
    assert m.rate(0, 0) is None
    with pytest.raises(ValueError):
        m.rate(4, 3)


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (None, "—"),
        (Fraction(1, 3), "33.3%"),
        (Fraction(2, 3), "66.7%"),
        (Fraction(1, 2000), "0.1%"),
        (1, "100.0%"),
    ],
)
def test_percent_text_rounds_half_up(share, text):
    assert m.percent_text(share) == text


def test_decimal_text():
    assert m.decimal_text(Fraction(9, 2), 2) == "4.50"
    assert m.decimal_text(Fraction(1, 3), 1) == "0.3"
    assert m.decimal_text(None) == "—"


# --- levels ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "low"),
    [
        ("district", False),
        ("street", False),
        ("community", True),
        ("compound", True),
        ("resident_group", True),
        ("building", True),
    ],
)
def test_at_or_below_community(level, low):
    assert m.at_or_below(level) is low


# --- the appeals summary ---------------------------------------------------------------------------------------


def test_summary_of_an_empty_period_has_no_made_up_rates():
    s = m.summarise([])
    assert (s.submitted, s.resolved, s.open) == (0, 0, 0)
    assert s.resolved_low_share is None and s.on_time_share is None
    assert s.satisfaction.mean is None and s.satisfaction.rated == 0
    assert s.satisfaction.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert s.categories == []


def test_open_cases_count_as_submitted_and_open_not_resolved():
    s = m.summarise(
        [
            G("community", "in_progress", "safety", 2, overdue=True, has_due=True),
            G("street", "submitted", "safety", 1, has_due=True),
            G("community", "closed", "parking", 1, rating=4, on_time=True, has_due=True),
        ]
    )
    assert (s.submitted, s.open, s.open_overdue, s.resolved) == (4, 3, 2, 1)
    assert s.open_by_level == {"street": 1, "community": 2}
    assert s.on_time_share == 1  # open cases are not judged on time or late


def test_share_resolved_at_or_below_community():
    """BZ-3.1: cases resolved where they arise; the street and the district count above."""
    s = m.summarise(
        [
            G("resident_group", "closed", "safety", 3, rating=5, on_time=True, has_due=True),
            G("community", "closed_no_response", "safety", 1, on_time=True, has_due=True),
            G("street", "resolved", "parking", 2, on_time=False, has_due=True),
            G("district", "closed", "parking", 2, rating=1, on_time=True, has_due=True),
        ]
    )
    assert s.resolved == 8 and s.resolved_low == 4
    assert s.resolved_low_share == Fraction(1, 2)
    assert list(s.resolved_by_level) == ["district", "street", "community", "resident_group"]


def test_on_time_late_and_no_deadline_are_apart():
    s = m.summarise(
        [
            G("community", "closed", "safety", 3, rating=5, on_time=True, has_due=True),
            G("community", "closed", "safety", 1, rating=5, on_time=False, has_due=True),
            G("street", "closed", "safety", 2, rating=5, has_due=False),
        ]
    )
    assert (s.on_time, s.late, s.no_deadline) == (3, 1, 2)
    assert s.on_time_share == Fraction(3, 4)


def test_satisfaction_counts_no_response_and_waiting_apart():
    """§5 #27: "no response" closings are counted separately, never as a rating."""
    s = m.summarise(
        [
            G("community", "closed", "safety", 2, rating=5, has_due=True, on_time=True),
            G("community", "closed", "safety", 1, rating=2, has_due=True, on_time=True),
            G("community", "closed_no_response", "safety", 4, has_due=True, on_time=True),
            G("community", "resolved", "safety", 3, has_due=True, on_time=True),
            G(
                "community", "resolved", "safety", 1, rating=1, has_due=True, on_time=True
            ),  # dissatisfied, reopened
        ]
    ).satisfaction
    assert s.distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 2}
    assert (s.rated, s.no_response, s.awaiting) == (3, 4, 4)
    assert s.mean == 4 and s.satisfied == 2 and s.satisfied_share == Fraction(2, 3)


def test_top_categories_most_first_then_by_code():
    s = m.summarise(
        [
            G("community", "submitted", "safety", 2),
            G("street", "closed", "safety", 1, rating=3, has_due=True, on_time=True),
            G("community", "submitted", "parking", 3),
            G("community", "submitted", "other", 3),
        ]
    )
    assert s.categories == [("other", 3), ("parking", 3), ("safety", 3)]


def test_resolve_days_median_in_working_days():
    """Submission day not counted, resolution day counted; a same-day resolution is 0 days."""

    def weekdays(a, b):
        return sum(1 for i in range(1, (b - a).days + 1) if (a + dt.timedelta(days=i)).weekday() < 5)

    friday, monday, tuesday = D(2026, 1, 9), D(2026, 1, 12), D(2026, 1, 13)
    assert m.resolve_days([(friday, monday, 1)], weekdays) == 1
    assert m.resolve_days([(friday, friday, 1), (friday, tuesday, 1)], weekdays) == 1
    assert m.resolve_days([(friday, tuesday, 3), (monday, monday, 1)], weekdays) == 2
    assert m.resolve_days([], weekdays) is None


# --- the flow ---------------------------------------------------------------------------------------------------


def test_flow_from_level_to_level_and_where_cases_ended():
    flow = m.flow(
        [("resident_group", "community", 3), ("community", "street", 1)],
        {"community": 2, "resident_group": 4, "street": 1},
        {"community": 1},
    )
    assert flow.nodes == [
        "resident_group",
        "community",
        "street",
        "resolved:street",
        "resolved:community",
        "resolved:resident_group",
        "open",
    ]
    assert ("resident_group", "community", 3) in flow.links
    assert ("community", "resolved:community", 2) in flow.links and ("community", "open", 1) in flow.links
    assert flow.ignored == 0


def test_flow_leaves_out_moves_down_or_sideways_to_stay_acyclic():
    flow = m.flow(
        [("community", "compound", 2), ("community", "community", 1), ("compound", "street", 1)], {}, {}
    )
    assert flow.links == [("compound", "street", 1)] and flow.ignored == 3


def test_flow_of_nothing_is_empty():
    assert m.flow([], {}, {}) == m.Flow([], [], 0)


# --- directives ------------------------------------------------------------------------------------------------


def test_unit_completion_judges_only_what_is_done_or_past_due():
    """BZ-7.2: on-time completion per receiving unit; assignments not yet due are not judged."""
    unit = m.UnitCompletion(unit_id=1, due=6, on_time=2, late=1, overdue_open=1)
    assert unit.pending == 2 and unit.on_time_share == Fraction(1, 2)
    assert m.UnitCompletion(2, 3, 0, 0, 0).on_time_share is None


# --- the weekly agenda ------------------------------------------------------------------------------------------


def _waiting(id, category="parking", community="东社区", since=None, due=None, overdue=False, link=None):
    since = since or D(2026, 1, 5)
    return m.WaitingCase(id, category, community, m.problem_key(category, link), since, due, overdue)


def test_agenda_groups_common_problems_and_counts_communities():
    """BZ-5.2.4.1(b): common appeals the communities cannot solve, grouped for collective consultation."""
    meeting = D(2026, 1, 12)
    items = m.agenda(
        [
            _waiting(1, community="东社区", since=D(2026, 1, 2)),
            _waiting(2, community="西社区", since=D(2026, 1, 8)),
            _waiting(3, community="西社区", since=D(2026, 1, 9), due=D(2026, 1, 11)),
            _waiting(4, "safety", overdue=True),
            _waiting(5, "safety", community="西社区", link=7),
            _waiting(6, "sanitation", community="东社区", link=7),
        ],
        meeting,
    )
    first = items[0]
    assert (first.problem, first.count, first.communities) == ("category:parking", 3, ["东社区", "西社区"])
    assert first.oldest_waiting_days == 10 and first.overdue == 1  # case 3: due the day before the meeting
    linked = next(i for i in items if i.problem == "link:7")
    assert linked.cases == [5, 6] or sorted(linked.cases) == [5, 6]
    assert linked.communities == ["东社区", "西社区"]
    alone = next(i for i in items if i.problem == "category:safety")
    assert (alone.count, alone.overdue) == (1, 1)
    assert [i.problem for i in items] == ["category:parking", "link:7", "category:safety"]


def test_agenda_of_nothing_and_due_on_the_meeting_day_is_not_overdue():
    assert m.agenda([], D(2026, 1, 12)) == []
    (item,) = m.agenda([_waiting(1, due=D(2026, 1, 12), since=D(2026, 1, 12))], D(2026, 1, 12))
    assert item.overdue == 0 and item.oldest_waiting_days == 0
