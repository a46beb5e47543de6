"""Working days per the official holiday calendar (catalogue §5 #18). Pure Python: no Django import.

The State Council publishes each year's public holidays and make-up working days (调休上班, usually a Saturday
or Sunday). `chinese-calendar` ships them for the years it knows (2004–2026 in the installed version) and
raises NotImplementedError for any other year. For such a year the calculator counts Monday to Friday and
marks the result not official ("calendar not yet official"), until an administrator loads that year's schedule
(appeals.services.holiday_schedule_load, `gongzhi load-holidays YEAR FILE`); from then on the loaded schedule is
used. A loaded schedule also wins over chinese-calendar for a year it knows (an explicit correction).

Entry points:
- `WorkCalendar(provider)`: `is_workday(d)`, `add_workdays(d, n)`, `next_workday(d)`, `workdays_between(a, b)`,
  `is_official(year)`, `unofficial_years(a, b)`. Build one per request or sweep (it caches per year).
- Providers: `ChineseCalendarProvider()`, `StaticProvider({year: YearSchedule})`, `ChainProvider(p1, p2, …)`
  (first that knows the year wins); the Django side adds appeals.selectors.LoadedScheduleProvider and
  appeals.selectors.work_calendar() = loaded schedules → chinese-calendar → Monday–Friday.
- `parse_schedule(text)`: the `load-holidays` file format (JSON or plain lines), see its docstring.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from gongzhi.appeals.errors import AppealRuleError

OFFICIAL_SOURCES = ("chinese_calendar", "loaded")
WEEKDAYS_ONLY = "weekdays_only"
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class YearSchedule:
    """One year's rest days on weekdays and festivals (`holidays`) and make-up working days (`workdays`)."""

    year: int
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    source: str = WEEKDAYS_ONLY

    @property
    def official(self) -> bool:
        return self.source in OFFICIAL_SOURCES

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


class ScheduleProvider(Protocol):
    def schedule(self, year: int) -> YearSchedule | None:
        """The official schedule for `year`, or None when this provider does not know it."""


class ChineseCalendarProvider:
    """The schedules shipped in the chinese-calendar package; None for a year it does not know."""

    def schedule(self, year: int) -> YearSchedule | None:
        import chinese_calendar

        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return None
        return YearSchedule(
            year=year,
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
            workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
            source="chinese_calendar",
        )


class StaticProvider:
    def __init__(self, schedules: Mapping[int, YearSchedule]) -> None:
        self._schedules = dict(schedules)

    def schedule(self, year: int) -> YearSchedule | None:
        return self._schedules.get(year)


class ChainProvider:
    def __init__(self, *providers: ScheduleProvider) -> None:
        self._providers = providers

    def schedule(self, year: int) -> YearSchedule | None:
        for provider in self._providers:
            found = provider.schedule(year)
            if found is not None:
                return found
        return None


class WorkCalendar:
    """Working-day arithmetic over a schedule provider, with the Monday–Friday fallback (not official)."""

    def __init__(self, provider: ScheduleProvider | None = None) -> None:
        self._provider = provider if provider is not None else ChineseCalendarProvider()
        self._years: dict[int, YearSchedule] = {}

    def year(self, year: int) -> YearSchedule:
        if year not in self._years:
            found = self._provider.schedule(year)
            self._years[year] = found if found is not None else YearSchedule(year)
        return self._years[year]

    def is_official(self, year: int) -> bool:
        return self.year(year).official

    def is_workday(self, day: dt.date) -> bool:
        return self.year(day.year).is_workday(day)

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += DAY
        return day

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (`day` itself not counted); n = 0 gives next_workday(day)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return self.next_workday(day)
        while n:
            day += DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: the first day not counted, the last counted; 0 when end <= start."""
        return sum(1 for d in _days(start + DAY, end) if self.is_workday(d))

    def unofficial_years(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """Years in [start, end] counted Monday–Friday only ("calendar not yet official")."""
        return tuple(y for y in range(start.year, end.year + 1) if not self.is_official(y))


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += DAY


# --- the load-holidays file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedSchedule:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    year: int | None = None
    source: str = ""


KIND_WORDS = {"holiday": "holiday", "休": "holiday", "假": "holiday", "workday": "workday", "班": "workday"}


def parse_schedule(text: str) -> ParsedSchedule:
    """Read a State Council schedule in one of two formats.

    JSON: {"year": 2027, "source": "国办发明电〔2026〕…号", "holidays": ["2027-01-01", …],
    "workdays": ["2027-02-06", …]} (year and source optional).
    Plain text, one entry per line, `#` starts a comment:
        2027-01-01 holiday            (or 休 / 假)
        2027-02-05..2027-02-11 holiday   (an inclusive range)
        2027-02-06 workday            (or 班: a make-up working day)
    Raises AppealRuleError "schedule_unreadable" (with `line`) on anything else.
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        return _parse_json(stripped)
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        kind = KIND_WORDS.get(parts[-1].lower()) if len(parts) == 2 else None
        days = _range(parts[0], number) if kind else None
        if kind is None or days is None:
            raise AppealRuleError("schedule_unreadable", line=number)
        (holidays if kind == "holiday" else workdays).update(days)
    return ParsedSchedule(frozenset(holidays), frozenset(workdays))


def _range(text: str, line: int) -> list[dt.date] | None:
    first, _, last = text.partition("..")
    try:
        start = dt.date.fromisoformat(first)
        end = dt.date.fromisoformat(last) if last else start
    except ValueError:
        return None
    if end < start or (end - start).days > 366:
        return None
    return list(_days(start, end))


def _parse_json(text: str) -> ParsedSchedule:
    try:
        raw = json.loads(text)
        holidays = frozenset(dt.date.fromisoformat(d) for d in raw.get("holidays", []))
        workdays = frozenset(dt.date.fromisoformat(d) for d in raw.get("workdays", []))
        year = raw.get("year")
        source = raw.get("source", "")
    except (ValueError, TypeError, AttributeError) as exc:
        raise AppealRuleError("schedule_unreadable", line=0) from exc
    if (year is not None and type(year) is not int) or not isinstance(source, str):
        raise AppealRuleError("schedule_unreadable", line=0)
    return ParsedSchedule(holidays, workdays, year, source)


def check_schedule(year: int, holidays: frozenset[dt.date], workdays: frozenset[dt.date]) -> None:
    """A schedule an administrator may load: dates in `year`, no day both, make-up days on a weekend."""
    if not 2000 <= year <= 2100:
        raise AppealRuleError("year_invalid", year=year)
    if not holidays:
        raise AppealRuleError("schedule_empty", year=year)
    outside = sorted(d for d in holidays | workdays if d.year != year)
    if outside:
        raise AppealRuleError("date_outside_year", date=outside[0].isoformat(), year=year)
    both = sorted(holidays & workdays)
    if both:
        raise AppealRuleError("date_both_kinds", date=both[0].isoformat())
    weekday = sorted(d for d in workdays if d.weekday() < 5)
    if weekday:  # a make-up working day moves work onto a weekend; on a weekday it would change nothing
        raise AppealRuleError("workday_not_weekend", date=weekday[0].isoformat())
