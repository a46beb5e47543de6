"""Per-level deadlines, reminders and overdue flags of an appeal. Pure Python: no Django import.

Catalogue §5 #22: no automatic escalation; reminders when a case is unresolved after 7 days (compound, resident
group; a building below them too), 15 days (community) or 30 days (street; the district too), pack keys
`escalation.reminder_days.<level>`. Those are **calendar days** (`appeals.deadline.unit: calendar_days`): §5 #22
says "days", the catalogue counts calendar periods unless it says otherwise (§3.0) and says "working days" where
it means them (§5 #19). A due date falling on a rest day moves to the next working day of the official calendar
(`appeals.deadline.roll_to_workday`, §5 #18, as Civil Code art. 203 does for legal periods), so holidays and
make-up working days (workdays.py) still count. A city may switch the unit to working days. The day the case
arrives is not counted (Civil Code art. 201); a deadline on a date ends at 23:59:59.999999 Asia/Shanghai
(§5 #16). An overdue case is reminded when it becomes overdue and again every `appeals.reminder.repeat_days`.
§5 #19: major or emergency → alert within 15 minutes, report upward within 1 hour; acknowledge within 24 hours.

Entry points: `deadline_rule(policy, level)`, `compute_deadline(start, rule, calendar)`,
`case_deadlines(arrived_at=, level=, severity=, policy=, calendar=)` → `CaseDeadlines`, `Deadline.is_overdue(now)`,
`Deadline.reminders_due(now)` (a count: the sweep sends reminder k only if fewer than k were sent, so a second
sweep sends nothing twice), `supervision_deadline(due)`, `confirmation_expires(resolved_at, policy)`,
`needs_recompute(deadline, calendar)` (an unofficial deadline after the year's schedule was loaded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.ladder import is_severe
from gongzhi.appeals.workdays import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59, 999999)
PolicyLookup = Callable[[str], Any]


def _value(policy: PolicyLookup, key: str, default: Any) -> Any:
    found = policy(key)
    return default if found is None else found.value


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise AppealRuleError("naive_datetime")
    return moment


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def overdue_from(due_date: dt.date) -> dt.datetime:
    """A case is overdue from the start of the day after its due date, whatever the rule that set the date (the
    sweep picks the overdue cases by this before it reads any rule)."""
    return dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)


def local_date(moment: dt.datetime) -> dt.date:
    return _aware(moment).astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class DeadlineRule:
    days: int
    unit: str = "calendar_days"
    roll_to_workday: bool = True
    repeat_days: int = 7
    clause: str = "§5#22"


def deadline_rule(policy: PolicyLookup, level: str) -> DeadlineRule:
    """The deadline at a tree level (a rung's `level`) from the pack."""
    try:
        found = policy(f"escalation.reminder_days.{level}")
    except KeyError:  # policy.effective.UnknownPolicyKey: no key for this level at all
        found = None
    if found is None:
        raise AppealRuleError("no_deadline_for_level", level=level)
    return DeadlineRule(
        days=found.value,
        unit=_value(policy, "appeals.deadline.unit", "calendar_days"),
        roll_to_workday=bool(_value(policy, "appeals.deadline.roll_to_workday", True)),
        repeat_days=_value(policy, "appeals.reminder.repeat_days", 7),
        clause=found.clause,
    )


@dataclass(frozen=True)
class Deadline:
    start: dt.datetime
    due_date: dt.date
    rule: DeadlineRule
    unofficial_years: tuple[int, ...] = ()  # counted Monday–Friday: "calendar not yet official"

    @property
    def official(self) -> bool:
        return not self.unofficial_years

    @property
    def due_at(self) -> dt.datetime:
        return end_of(self.due_date)

    @property
    def overdue_from(self) -> dt.datetime:
        return overdue_from(self.due_date)

    def is_overdue(self, now: dt.datetime) -> bool:
        return _aware(now) >= self.overdue_from

    def reminders_due(self, now: dt.datetime) -> int:
        """How many reminders are due by `now`: the first when it becomes overdue, then every repeat_days."""
        if not self.is_overdue(now):
            return 0
        waited = _aware(now) - self.overdue_from
        return 1 + waited // dt.timedelta(days=max(1, self.rule.repeat_days))

    def reminder_at(self, number: int) -> dt.datetime:
        """When reminder `number` (1, 2, …) falls due."""
        return self.overdue_from + dt.timedelta(days=max(1, self.rule.repeat_days) * (number - 1))


def compute_deadline(start: dt.datetime, rule: DeadlineRule, calendar: WorkCalendar) -> Deadline:
    first = local_date(start)
    if rule.unit == "working_days":
        due = calendar.add_workdays(first, rule.days)
    else:
        due = first + dt.timedelta(days=rule.days)
        if not rule.roll_to_workday:
            return Deadline(start, due, rule)
        due = calendar.next_workday(due)
    return Deadline(start, due, rule, calendar.unofficial_years(first, due))


def needs_recompute(deadline: Deadline, calendar: WorkCalendar) -> bool:
    """True when a year counted Monday–Friday now has an official schedule (loaded by an administrator)."""
    return any(calendar.is_official(year) for year in deadline.unofficial_years)


def supervision_deadline(due: dt.date, start: dt.datetime) -> Deadline:
    """The due date the supervising level set (督办): it ends at the end of that day."""
    return Deadline(start, due, DeadlineRule(days=(due - local_date(start)).days, clause="BZ-7.2"))


def confirmation_expires(resolved_at: dt.datetime, policy: PolicyLookup) -> dt.datetime:
    """After this the case closes as "no response" (counted apart from ratings, §5 #27)."""
    return _aware(resolved_at) + dt.timedelta(days=_value(policy, "appeals.confirmation_days", 7))


@dataclass(frozen=True)
class CaseDeadlines:
    acknowledge_by: dt.datetime
    resolve: Deadline
    alert_by: dt.datetime | None = None
    report_upward_by: dt.datetime | None = None


def case_deadlines(
    *,
    arrived_at: dt.datetime,
    level: str,
    severity: str,
    policy: PolicyLookup,
    calendar: WorkCalendar,
) -> CaseDeadlines:
    """Deadlines of a case that arrived at a rung at `level` at `arrived_at` (recompute on each arrival)."""
    arrived_at = _aware(arrived_at)
    hours = dt.timedelta(hours=_value(policy, "appeals.acknowledge_hours", 24))
    resolve = compute_deadline(arrived_at, deadline_rule(policy, level), calendar)
    if not is_severe(severity):
        return CaseDeadlines(arrived_at + hours, resolve)
    alert = dt.timedelta(minutes=_value(policy, "appeals.alert_minutes", 15))
    report = dt.timedelta(minutes=_value(policy, "appeals.report_upward_minutes", 60))
    return CaseDeadlines(arrived_at + hours, resolve, arrived_at + alert, arrived_at + report)
