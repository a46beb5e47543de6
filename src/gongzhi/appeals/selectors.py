"""Reads for the appeal rules: the working-day calendar in force (loaded schedules, then chinese-calendar)."""

from __future__ import annotations

from gongzhi.appeals.models import HolidaySchedule
from gongzhi.appeals.workdays import ChainProvider, ChineseCalendarProvider, WorkCalendar, YearSchedule


class LoadedScheduleProvider:
    """Schedules an administrator loaded (HolidaySchedule rows); one query per year asked for."""

    def schedule(self, year: int) -> YearSchedule | None:
        rows = list(HolidaySchedule.objects.filter(year=year).values_list("date", "kind"))
        if not rows:
            return None
        return YearSchedule(
            year=year,
            holidays=frozenset(d for d, kind in rows if kind == HolidaySchedule.Kind.HOLIDAY),
            workdays=frozenset(d for d, kind in rows if kind == HolidaySchedule.Kind.WORKDAY),
            source="loaded",
        )


def work_calendar() -> WorkCalendar:
    """The calendar deadlines use: a loaded schedule, else chinese-calendar, else Monday–Friday (unofficial).

    Build one per request or sweep: it caches each year it reads, so a schedule loaded meanwhile is seen by the
    next calendar built, and deadlines computed from it are recomputed (deadlines.needs_recompute).
    """
    return WorkCalendar(ChainProvider(LoadedScheduleProvider(), ChineseCalendarProvider()))


def holiday_years_loaded() -> list[int]:
    return sorted(set(HolidaySchedule.objects.values_list("year", flat=True)))
