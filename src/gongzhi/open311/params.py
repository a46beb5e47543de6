"""The query of GET requests, parsed and checked (GeoReport v2): ids, service codes, a window, statuses.

- `service_request_id`: a comma-separated list of ids; when given, the other filters are ignored (the spec
  allows it) but the caller's visibility and the jurisdiction still apply.
- `service_code`: comma-separated category codes; `status`: `open`, `closed` or both, comma-separated.
- `start_date` / `end_date`: W3C datetimes (a missing offset is read as Asia/Shanghai) on requested_datetime.
  The window is at most 90 days: without either bound, the last 90 days; with one, 90 days from or up to it.
- At most 1000 requests are returned, newest first (the spec's default query limit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from gongzhi.open311.errors import Open311Error

WINDOW = dt.timedelta(days=90)
LIMIT = 1000
STATUSES = ("open", "closed")
IDS_MAX = LIMIT


@dataclass(frozen=True)
class RequestFilter:
    ids: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _list(raw: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in (raw or "").split(",") if p.strip()))


def _ids(raw: str | None) -> tuple[int, ...]:
    parts = _list(raw)
    if len(parts) > IDS_MAX or not all(p.isdigit() and len(p) <= 12 for p in parts):
        raise Open311Error(400, _("service_request_id must be request numbers separated by commas."), "ids")
    return tuple(int(p) for p in parts)


def parse_moment(raw: str | None, name: str) -> dt.datetime | None:
    """A W3C datetime or date (start of day); naive means Asia/Shanghai."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().replace(" ", "+")  # a "+08:00" offset arrives as " 08:00" when not URL-encoded
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = dt.datetime.combine(day, dt.time())
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("{name} must be a date and time such as 2026-03-01T08:00:00+08:00.").format(name=name),
            name,
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _window(
    start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, min(now, start + WINDOW) if start < now else start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."), "window_reversed")
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may span at most 90 days."), "window_too_long")
    return start, end


def parse_filter(query: Mapping[str, str], now: dt.datetime) -> RequestFilter:
    ids = _ids(query.get("service_request_id"))
    if ids:
        return RequestFilter(ids=ids)
    statuses = tuple(s.lower() for s in _list(query.get("status")))
    if any(s not in STATUSES for s in statuses):
        raise Open311Error(400, _("status must be open, closed or both, separated by a comma."), "status")
    start = parse_moment(query.get("start_date"), "start_date")
    end = parse_moment(query.get("end_date"), "end_date")
    start, end = _window(start, end, now)
    return RequestFilter(codes=_list(query.get("service_code")), statuses=statuses, start=start, end=end)
