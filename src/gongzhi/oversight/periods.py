"""Reading a period or a meeting week from a page's or the API's parameters, with messages in the user's language."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import InvalidInput
from gongzhi.oversight import metrics

PERIOD_MESSAGES = {
    "period_unknown": _("Choose a month, a quarter, a year or dates from–to."),
    "period_dates": _("Enter both dates as YYYY-MM-DD."),
    "period_order": _("The period must end on or after its first day."),
    "period_too_long": _("A period can be at most five years long."),
    "weekday_invalid": _("The meeting day of the week is not valid."),
}


def period_from(kind: str = "", start: str = "", end: str = "", at: str = "") -> metrics.Period:
    """`kind` month/quarter/year around `at` (default today; empty kind: this quarter), or `start`–`end`."""
    try:
        today = dt.date.fromisoformat(at) if at else timezone.localdate()
        return metrics.parse_period(kind, today, start, end)
    except metrics.PeriodError as exc:
        raise InvalidInput(PERIOD_MESSAGES[exc.code], code=exc.code) from exc
    except ValueError as exc:
        raise InvalidInput(PERIOD_MESSAGES["period_dates"], code="period_dates") from exc


def meeting_from(text: str, weekday: int) -> dt.date:
    """The meeting of the week asked for ("2026-W03" or a date in it), or the coming one."""
    day = week_from(text)
    return metrics.meeting_day(day, weekday) if day else metrics.next_meeting(timezone.localdate(), weekday)


def week_from(text: str = "") -> dt.date | None:
    """A day of the week asked for: "2026-W03" (an <input type=week>), a date "YYYY-MM-DD", or None."""
    text = (text or "").strip()
    try:
        if not text:
            return None
        if "-W" in text:
            year, week = text.split("-W", 1)
            return dt.date.fromisocalendar(int(year), int(week), 1)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            _("Enter the week as YYYY-Www (e.g. 2026-W03) or a date."), code="week_invalid"
        ) from exc
