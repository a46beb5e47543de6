"""GET requests' query (open311.params): ids, statuses, the 90-day window and its limits."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.open311.errors import Open311Error
from gongzhi.open311.params import WINDOW, parse_filter, parse_moment

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def test_default_window_is_the_last_90_days():
    f = parse_filter({}, NOW)
    assert (f.start, f.end) == (NOW - WINDOW, NOW)


def test_ids_override_the_other_filters():
    f = parse_filter({"service_request_id": "3, 5,3", "status": "bogus"}, NOW)
    assert f.ids == (3, 5) and f.start is None


@pytest.mark.parametrize("raw", ["3,x", "-1", "1.5"])
def test_bad_ids_are_refused(raw):
    with pytest.raises(Open311Error) as err:
        parse_filter({"service_request_id": raw}, NOW)
    assert err.value.status == 400


def test_status_list_and_codes():
    f = parse_filter({"status": "open,closed", "service_code": "safety,parking"}, NOW)
    assert f.statuses == ("open", "closed") and f.codes == ("safety", "parking")
    with pytest.raises(Open311Error):
        parse_filter({"status": "pending"}, NOW)


def test_naive_times_are_shanghai_and_an_offset_survives_an_unencoded_plus():
    assert parse_moment("2026-03-01T08:00:00", "start_date") == dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
    assert parse_moment("2026-03-01T08:00:00 08:00", "start_date") == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert parse_moment("2026-03-01", "start_date").hour == 0


@pytest.mark.parametrize(
    "query,key",
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "window_reversed"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-01"}, "window_too_long"),
    ],
)
def test_bad_windows_are_refused(query, key):
    with pytest.raises(Open311Error) as err:
        parse_filter(query, NOW)
    assert (err.value.status, err.value.key) == (400, key)


def test_one_bound_gives_90_days_from_or_up_to_it():
    start = parse_filter({"start_date": "2026-02-01T00:00:00+08:00"}, NOW)
    assert start.end == NOW  # not beyond now
    end = parse_filter({"end_date": "2025-06-01T00:00:00+08:00"}, NOW)
    assert end.end - end.start == WINDOW
