"""Write path of appeal cases (issue 4 §1): submitting, every transition of appeals.lifecycle, the sweep.

Each service runs in one transaction, locks the case it changes (select_for_update), checks an optional
`version` the caller read (a second actor who acted on an older page gets 409 "already_changed"), applies the
transition through lifecycle.apply, stores the new snapshot, a timeline event and an audit entry together, and
leaves notices for the people concerned in the notification centre (gongzhi.notices).
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can
from gongzhi.access.selectors import forbidden
from gongzhi.appeals import lifecycle
from gongzhi.appeals.deadlines import Deadline, case_deadlines, deadline_rule, overdue_from
from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import user_error
from gongzhi.appeals.ladder import CityLadders, city_ladders
from gongzhi.appeals.models import (
    OPEN_STATE_VALUES,
    Appeal,
    AppealEvent,
    AppealPhoto,
    AppealReminder,
    Channel,
)
from gongzhi.appeals.selectors import (
    Seat,
    appeal_get_for,
    handler_ids_many,
    handler_users,
    seats_for,
    work_calendar,
)
from gongzhi.audit.services import Change, audit_record, audit_record_many
from gongzhi.core.errors import Conflict, InvalidInput
from gongzhi.notices.services import Notification, Subject, notify, notify_many, subject_of
from gongzhi.policy.selectors import effective_policies, effective_policy, policies_in_force
from gongzhi.tree.models import Dwelling, Node

logger = logging.getLogger("gongzhi.appeals")

ALREADY_CHANGED = _("The appeal has already changed; reload it and try again.")
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # a phone photo; not a rule of the documents
PHOTOS_MAX = 4
DESCRIPTION_MAX = 4000
# Transitions whose step or state sends the case to a rung anew: its deadlines start again.
ARRIVALS = frozenset({"escalate", "request_escalation", "triage", "transfer"})


def _rule_error(exc: AppealRuleError) -> Exception:
    if exc.code == "wrong_state":
        return Conflict(ALREADY_CHANGED, code="already_changed", params=exc.params)
    return user_error(exc)


# --- the case as the rules see it -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    ladders: CityLadders
    policy: Any


# Reading the ladders from a policy is pure; policies are shared objects (policy.selectors), so each one's
# ladders are read once per process.
_CONTEXTS: weakref.WeakKeyDictionary[Any, Context] = weakref.WeakKeyDictionary()


def context_for(policy: Any) -> Context:
    ctx = _CONTEXTS.get(policy)
    if ctx is None:
        try:
            ctx = _CONTEXTS[policy] = Context(city_ladders(policy, policy.pack), policy)
        except AppealRuleError as exc:
            raise user_error(exc) from exc
    return ctx


def context_of(node: Node) -> Context:
    return context_for(effective_policy(node))


def as_case(appeal: Appeal, ctx: Context) -> lifecycle.Case:
    return lifecycle.Case(
        ladder=ctx.ladders.ladder(appeal.track),
        state=lifecycle.State(appeal.state),
        step=appeal.step,
        id=appeal.pk,
        household=appeal.household or None,
        severity=appeal.severity,
        difficulty=appeal.difficulty or None,
        accepted_steps=frozenset(appeal.accepted_steps),
        meeting_steps=frozenset(appeal.meeting_steps),
        reopened=tuple(appeal.reopened),
        resolved_at=appeal.resolved_at,
        supervision_due=appeal.supervision_due,
        rules=lifecycle.case_rules(ctx.policy),
    )


def allowed_actions(user: Any, appeal: Appeal, ctx: Context | None = None) -> list[str]:
    """The transitions the user may take on the case now (the page's buttons, the API's allowed_actions)."""
    ctx = ctx or context_of(appeal.place)
    case = as_case(appeal, ctx)
    names: list[str] = []
    for seat in seats_for(user, appeal):
        for name in lifecycle.allowed_transitions(case.state, seat.role, seat.level, case):
            if name not in names and name != "close_no_response":
                names.append(name)
    return [n for n in lifecycle.TRANSITIONS if n in names]


def _ancestors(node: Node) -> dict[str, Node]:
    prefixes = [node.path[:i] for i in range(Node.steplen, len(node.path) + 1, Node.steplen)]
    return {n.level: n for n in Node.objects.filter(path__in=prefixes)}


def _arrive(appeal: Appeal, ctx: Context, now: dt.datetime, ancestors: dict[str, Node] | None = None) -> None:
    """The case arrives at its rung: the handling node and the deadlines there (recomputed on each arrival).
    `ancestors`: the place's, when the caller has read them already."""
    step = ctx.ladders.ladder(appeal.track).step(appeal.step)
    appeal.level = step.level
    appeal.handling_node = (ancestors if ancestors is not None else _ancestors(appeal.place)).get(step.level)
    appeal.arrived_at = now
    try:
        due = case_deadlines(
            arrived_at=now,
            level=step.level,
            severity=appeal.severity,
            policy=ctx.policy,
            calendar=work_calendar(),
        ).resolve
    except AppealRuleError:  # a level without a deadline in the pack: no reminders there
        appeal.due_date, appeal.calendar_official = None, True
    else:
        appeal.due_date, appeal.calendar_official = due.due_date, due.official
    appeal.overdue = False


def _subject(appeal: Appeal) -> Subject:
    return subject_of(appeal, "appeals:detail")


def _params(appeal: Appeal, **extra: Any) -> dict[str, Any]:
    return {"id": appeal.pk, "category": appeal.category, **extra}


def _handlers(appeal: Appeal, ctx: Context) -> list[Any]:
    step = ctx.ladders.ladder(appeal.track).step(appeal.step)
    return handler_users(appeal, step.roles, step.level)


def _notify_handlers(
    appeal: Appeal, ctx: Context, kind: str, now: dt.datetime, actor: Any = None, **params: Any
) -> None:
    """The handlers of the rung the case is at (notices.notify skips the actor themself)."""
    once = params.pop("once_key", "")
    notify(_handlers(appeal, ctx), f"appeals.{kind}", _subject(appeal), params=_params(appeal, **params),
           actor=actor, once_key=once, now=now)  # fmt: skip


def _event(appeal: Appeal, actor: Any, role: str, name: str, before: tuple[str, str], record: dict[str, Any],
           now: dt.datetime, clause: str = "") -> AppealEvent:  # fmt: skip
    event = _event_row(appeal, actor, role, name, before, record, now, clause)
    event.save(force_insert=True)
    return event


def _event_row(appeal: Appeal, actor: Any, role: str, name: str, before: tuple[str, str],
               record: dict[str, Any], now: dt.datetime, clause: str = "") -> AppealEvent:  # fmt: skip
    """A timeline line, not yet saved (the sweep writes its lines in one insert)."""
    return AppealEvent(
        appeal=appeal,
        at=now,
        actor=actor,
        actor_role=role,
        transition=name,
        from_state=before[0],
        to_state=appeal.state,
        from_step=before[1],
        to_step=appeal.step,
        record={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.items()},
        clause=clause,
    )


def _snapshot(appeal: Appeal) -> dict[str, Any]:
    return {"state": appeal.state, "step": appeal.step, "version": appeal.version}


# --- submitting -------------------------------------------------------------------------------------------------


def _check_photos(photos: list[Any]) -> None:
    if len(photos) > PHOTOS_MAX:
        raise InvalidInput(_("At most 4 photos."), code="photos_too_many")
    for photo in photos:
        if getattr(photo, "content_type", "") not in PHOTO_TYPES or photo.size > PHOTO_MAX_BYTES:
            raise InvalidInput(
                _("Photos must be JPEG, PNG or WebP images of at most 5 MB."), code="photo_invalid"
            )


# The checks of a submission's input, shared with the queued intake (appeals.intake), which must answer alike.


_CHANNELS = frozenset(Channel.values)  # Channel.values builds a new list on every read


def checked_text(description: str, channel: str) -> str:
    description = (description or "").strip()
    if not description or len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("Describe the problem (at most 4000 characters)."), code="description_invalid")
    if channel not in _CHANNELS:
        raise InvalidInput(_("Unknown channel."), code="channel_invalid")
    return description


def check_place_given(*, home: bool, place: bool, channel: str) -> None:
    if not home and not place:
        raise InvalidInput(_("Choose the home or the place the appeal is about."), code="place_required")
    if channel == Channel.WEB and not home:
        raise InvalidInput(_("A resident speaks for their home: choose it."), code="dwelling_required")


def check_place_contains(place_path: str, home_path: str) -> None:
    if not home_path.startswith(place_path):
        raise InvalidInput(_("The place must contain the home."), code="place_not_home")


def routed(
    policy: Any, ladders: CityLadders, category: str, severity: str, anonymous: bool, levels: set[str]
) -> Any:
    """The route on the city's ladder, after the anonymity rule (§5 #37); rule errors in the user's language."""
    if anonymous and not policy.value("appeals.anonymous.allowed", True):
        raise InvalidInput(_("Anonymous appeals are not accepted here."), code="anonymous_not_allowed")
    try:
        return ladders.route(category, severity=severity, present_levels=levels)
    except AppealRuleError as exc:
        raise user_error(exc) from exc


def _place_for(actor: Any, dwelling: Dwelling | None, place: Node | None, channel: str) -> Node:
    check_place_given(home=dwelling is not None, place=place is not None, channel=channel)
    if dwelling is not None:
        if not can(actor, Kind.APPEAL, Action.CHANGE, dwelling):
            raise forbidden()
        place = place or dwelling.stairwell
        check_place_contains(place.path, dwelling.path)
        return place
    assert place is not None
    if not can(actor, Kind.APPEAL, Action.CHANGE, place):
        raise forbidden()
    return place


def lock_households(*, dwelling_ids: Iterable[int] = (), user_ids: Iterable[int] = ()) -> None:
    """Lock the rows that stand for households (their dwellings; for a case without a home, the user who raised
    it), in id order. One household speaks once (BZ-5.2.1): two submissions of one household at once must not
    both find no open case and both open one, so the household's row is held until the submission commits.
    Locking many in a fixed order (the intake worker's batch) means two workers never wait on each other in a
    cycle."""
    from django.contrib.auth import get_user_model

    if dwelling_ids:
        list(
            Dwelling.objects.select_for_update()
            .filter(pk__in=set(dwelling_ids))
            .order_by("pk")
            .values_list("pk")
        )
    if user_ids:
        users = get_user_model().objects.select_for_update().filter(pk__in=set(user_ids)).order_by("pk")
        list(users.values_list("pk"))


def _duplicate(household: str, category: str, place: Node) -> Appeal | None:
    """BZ-5.2.1 one household speaks once: an open case of the household on the same category and place."""
    opens = list(Appeal.objects.select_for_update().filter(household=household, state__in=OPEN_STATE_VALUES))
    new = lifecycle.CaseKey(None, household, category, place.pk)
    keys = [lifecycle.CaseKey(a.pk, a.household, a.category, a.place_id) for a in opens]
    found = lifecycle.find_duplicate(new, keys)
    return next(a for a in opens if a.pk == found.id) if found else None


@dataclass(frozen=True)
class Submitted:
    appeal: Appeal
    merged: bool  # the submission joined the household's open case instead of opening a new one


@transaction.atomic
def appeal_submit(
    *,
    actor: Any,
    category: str,
    description: str,
    dwelling: Dwelling | None = None,
    place: Node | None = None,
    channel: str = Channel.WEB,
    on_behalf_of: str = "",
    anonymous: bool = False,
    severity: str = "normal",
    photos: list[Any] | None = None,
    received_at: dt.datetime | None = None,
) -> Submitted:
    """Open a case (or merge it into the household's open one) and route it to the lowest rung of the ladder.

    Preconditions: `actor` may act on appeals at the dwelling (a resident: their own home) or, for a case
    raised on patrol or recorded for someone (walk-in, phone), at the place; `category` is one of the pack's
    (appeals.categories); a major or emergency case goes where the pack sends it and alerts at once (§5 #19).
    `received_at`: when a queued submission was received (appeals.intake); its deadline counts from then.
    """
    description = checked_text(description, channel)
    photos = list(photos or [])
    _check_photos(photos)
    if dwelling is not None:  # read afresh (its grid and path as stored now) and locked: see lock_households
        dwelling = (
            Dwelling.objects.select_for_update(of=("self",)).select_related("stairwell").get(pk=dwelling.pk)
        )
    place = _place_for(actor, dwelling, place, channel)
    ctx = context_of(place)
    ancestors = _ancestors(place)
    route = routed(ctx.policy, ctx.ladders, category, severity, anonymous, set(ancestors))
    now = received_at or timezone.now()
    household = f"d{dwelling.pk}" if dwelling else f"u{actor.pk}"
    if dwelling is None:
        lock_households(user_ids=[actor.pk])
    existing = _duplicate(household, category, place)
    if existing is not None:
        return Submitted(_merge_submission(existing, actor, description, now), merged=True)
    submitter = actor if channel == Channel.WEB else None
    appeal = Appeal(
        submitter=submitter,
        recorded_by=actor,
        channel=channel,
        on_behalf_of=(on_behalf_of or "").strip()[:100],
        city=ctx.ladders.city,
        category=category,
        track=route.track,
        place=place,
        path=place.path,
        dwelling=dwelling,
        grid_id=dwelling.grid_id if dwelling else None,
        household=household,
        description=description,
        anonymous=anonymous,
        severity=severity,
        step=route.step.code,
    )
    _arrive(appeal, ctx, now, ancestors)
    appeal.save()
    for photo in photos:
        AppealPhoto.objects.create(appeal=appeal, file=photo, uploaded_by=actor)
    role = "submitter" if submitter else "recorder"
    _event(appeal, actor, role, "submit", ("", ""), {"channel": channel}, now, route.clause)
    audit_record(actor=actor, action="appeals.submitted", obj=appeal, after=_snapshot(appeal))
    _notify_handlers(appeal, ctx, "alert" if route.alert else "arrived", now, actor)
    return Submitted(appeal, merged=False)


def _merge_submission(existing: Appeal, actor: Any, description: str, now: dt.datetime) -> Appeal:
    _event(existing, actor, "submitter", "duplicate_merged", (existing.state, existing.step),
           {"description": description}, now, "BZ-5.2.1")  # fmt: skip
    existing.version += 1
    existing.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="appeals.duplicate_merged", obj=existing, after=_snapshot(existing))
    return existing


# --- transitions ------------------------------------------------------------------------------------------------


def _seat_for(user: Any, appeal: Appeal, case: lifecycle.Case, name: str) -> Seat:
    spec = lifecycle.TRANSITIONS.get(name)
    if spec is None:
        raise user_error(AppealRuleError("transition_unknown", transition=name))
    for seat in seats_for(user, appeal):
        if lifecycle.capacities(case, seat.role, seat.level) & spec.by:
            return seat
    raise user_error(AppealRuleError("not_allowed", kind="forbidden", transition=name))


def _prepared(appeal: Appeal, name: str, data: dict[str, Any], user: Any) -> dict[str, Any]:
    """Fill what the rules need from the database: the other case of a merge or a link."""
    data = {k: v for k, v in data.items() if v not in (None, "")}
    if name in ("merge", "link") and data.get("into_case" if name == "merge" else "with_case"):
        key = "into_case" if name == "merge" else "with_case"
        try:
            other = appeal_get_for(user, int(data[key]))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("Give the other appeal's number."), code="case_invalid") from exc
        data[key] = other.pk
        data["into_household" if name == "merge" else "with_household"] = other.household or None
    return data


def _store(appeal: Appeal, applied: lifecycle.Applied, other: Appeal | None) -> None:
    new = applied.case
    appeal.state, appeal.step = str(new.state), new.step
    appeal.accepted_steps = sorted(new.accepted_steps)
    appeal.meeting_steps = sorted(new.meeting_steps)
    appeal.reopened = list(new.reopened)
    appeal.resolved_at, appeal.supervision_due = new.resolved_at, new.supervision_due
    appeal.difficulty = new.difficulty or ""
    record = applied.record
    if applied.transition == "resolve":
        appeal.resolution = record["resolution"]
    if "rating" in record:
        appeal.rating, appeal.rating_comment = record["rating"], record.get("comment", "")[:500]
    if applied.transition == "transfer":
        appeal.handling_unit = record["to_unit"][:200]
    if applied.transition == "convene_meeting":
        appeal.meeting_ref = str(record["deliberation"])[:300]
    if applied.transition == "merge" and other is not None:
        appeal.merged_into = other
    if applied.transition == "link" and other is not None:
        group = other.link_group or appeal.link_group or min(other.pk, appeal.pk)
        appeal.link_group = group
        Appeal.objects.filter(pk=other.pk).update(link_group=group)


def appeal_transition(
    *,
    actor: Any,
    appeal_id: int,
    transition: str,
    data: dict[str, Any] | None = None,
    version: int | None = None,
) -> Appeal:
    """Apply one lifecycle transition to a case the actor sees.

    Preconditions: the actor holds a seat with the capacity the transition needs (lifecycle.TRANSITIONS: the
    handler of the current rung, a supervisor above it, or the submitter); `data` carries the transition's
    fields; `version`, when given, is the version the actor read (else 409 already_changed).
    """
    with transaction.atomic():
        appeal = appeal_get_for(actor, appeal_id)
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("place").get(pk=appeal.pk)
        if version is not None and version != appeal.version:
            raise Conflict(ALREADY_CHANGED, code="already_changed")
        return _apply(actor, appeal, transition, data or {})


@dataclass(frozen=True)
class Moved:
    """A transition applied to a case in memory (`_transit`), before anything is written."""

    applied: lifecycle.Applied
    role: str  # the actor's seat
    before: tuple[str, str]  # (state, step) before
    old: dict[str, Any]  # the snapshot before, for the audit entry


def _apply(
    actor: Any, appeal: Appeal, name: str, data: dict[str, Any], now: dt.datetime | None = None
) -> Appeal:
    ctx = context_of(appeal.place)
    now = now or timezone.now()
    moved = _transit(actor, appeal, name, data, ctx, now)
    appeal.save()
    _event(appeal, actor, moved.role, name, moved.before, moved.applied.record, now, moved.applied.clause)
    audit_record(actor=actor, action=f"appeals.{name}", obj=appeal, before=moved.old, after=_snapshot(appeal))
    _after(appeal, ctx, moved.applied, now, actor)
    return appeal


def _transit(
    actor: Any, appeal: Appeal, name: str, data: dict[str, Any], ctx: Context, now: dt.datetime
) -> Moved:
    """Apply the transition to `appeal` in memory (the new state on the instance, its version bumped)."""
    case = as_case(appeal, ctx)
    seat = _seat_for(actor, appeal, case, name) if actor is not None else Seat("system", "")
    data = _prepared(appeal, name, data, actor)
    try:
        applied = lifecycle.apply(
            name, case, actor_role=seat.role, actor_level=seat.level, now=now, data=data
        )
    except AppealRuleError as exc:
        raise _rule_error(exc) from exc
    key = "into_case" if name == "merge" else "with_case"
    other_id = applied.record.get(key) if name in ("merge", "link") else None
    other = Appeal.objects.filter(pk=other_id).first() if other_id is not None else None
    before, old = (appeal.state, appeal.step), _snapshot(appeal)
    _store(appeal, applied, other)
    if name in ARRIVALS and appeal.state == "submitted":
        _arrive(appeal, ctx, now)
    appeal.version += 1
    return Moved(applied, seat.role, before, old)


def _after(appeal: Appeal, ctx: Context, applied: lifecycle.Applied, now: dt.datetime, actor: Any) -> None:
    notify_many(_after_notices(appeal, applied, actor, _handlers(appeal, ctx)), now=now)


def _after_notices(
    appeal: Appeal, applied: lifecycle.Applied, actor: Any, handlers: list[Any]
) -> list[Notification]:
    """Who hears of it: the submitter and every handler of the rung on each transition (not the actor); a case
    that arrives at a rung anew tells that rung's handlers so, as an alert where §5 #19 asks for one.
    `handlers` are the users (or user ids) of the rung the case is at now."""
    name = applied.transition
    out = []
    if appeal.state == "submitted" and name in (*ARRIVALS, "request_escalation"):
        kind = "alert" if applied.alert else "arrived"
        out.append(
            Notification(handlers, f"appeals.{kind}", _subject(appeal), params=_params(appeal), actor=actor)
        )
        handlers = []
    step = _params(appeal, action=name)
    recipients = [appeal.submitter_id, *handlers]
    out.append(Notification(recipients, f"appeals.{name}", _subject(appeal), "appeals.step", step, actor))
    return out


def parse_due(raw: Any) -> Any:
    """A date from a form or JSON ("YYYY-MM-DD"); anything else is left for the rules to refuse."""
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError as exc:
            raise InvalidInput(_("Enter a date as YYYY-MM-DD."), code="due_invalid") from exc
    return raw


# --- deadlines after a holiday schedule is loaded ------------------------------------------------------------


def appeals_recompute_deadlines(*, actor: Any, year: int, now: dt.datetime | None = None) -> int:
    """Open cases whose deadline was counted Monday–Friday ("calendar not yet official") into `year`, recomputed
    on the calendar in force now, i.e. after an administrator loaded that year's State Council schedule (§5 #18).

    Runs in the caller's transaction (appeals.services.holiday_schedule_load). A case whose deadline changes gets
    a timeline line and an audit entry; its overdue flag is cleared when the new due date is still ahead.
    Returns how many cases changed.
    """
    now = now or timezone.now()
    calendar = work_calendar()
    changed = 0
    qs = Appeal.objects.select_for_update(of=("self",)).select_related("place")
    waiting = qs.filter(
        state__in=OPEN_STATE_VALUES, calendar_official=False, due_date__gte=dt.date(year, 1, 1)
    )
    appeals = list(waiting.order_by("pk"))
    policies = effective_policies(
        {a.place_id: a.place for a in appeals}.values()
    )  # two queries, not 2 per case
    for appeal in appeals:
        try:
            due = case_deadlines(
                arrived_at=appeal.arrived_at,
                level=appeal.level,
                severity=appeal.severity,
                policy=policies[appeal.place_id],
                calendar=calendar,
            ).resolve
        except AppealRuleError:
            continue
        if (due.due_date, due.official) == (appeal.due_date, appeal.calendar_official):
            continue
        assert appeal.due_date is not None
        before = {"due_date": appeal.due_date.isoformat(), "calendar_official": appeal.calendar_official}
        appeal.due_date, appeal.calendar_official = due.due_date, due.official
        appeal.overdue = appeal.overdue and due.is_overdue(now)
        appeal.version += 1
        appeal.save(update_fields=["due_date", "calendar_official", "overdue", "version", "updated_at"])
        after = {"due_date": due.due_date.isoformat(), "calendar_official": due.official}
        record = {"from": before["due_date"], "to": after["due_date"], "year": year}
        _event(
            appeal, actor, "system", "deadline_recomputed", (appeal.state, appeal.step), record, now, "§5#18"
        )
        audit_record(
            actor=actor, action="appeals.deadline_recomputed", obj=appeal, before=before, after=after
        )
        changed += 1
    return changed


# --- the sweep (gongzhi sweep) ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    supervision: int = 0
    closed_no_response: int = 0
    skipped_locked: int = 0
    failed: int = 0  # cases whose handling raised (logged); the other cases were handled all the same

    def add(self, other: SweepResult) -> None:
        for name, value in other.__dict__.items():
            setattr(self, name, getattr(self, name) + value)


SWEEP_BATCH = 2000  # cases per pass of _due_now
SWEEP_LOCK_BATCH = 500  # due cases locked and handled per transaction
# What `_due` reads of a case; the sweep reads it for every open or resolved case, in one query.
SWEPT_FIELDS = ("pk", "state", "place_id", "path", "level", "step", "arrived_at", "due_date", "resolved_at",
                "supervision_due")  # fmt: skip


def appeals_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Reminders for overdue cases (§5 #22), overdue supervision, "no response" closing after the window (§5 #27).

    Reads the open and resolved cases and picks those with something due now (`_due_now`); those are then
    handled a few hundred per transaction (`_sweep_batch`): locked with SKIP LOCKED on PostgreSQL, so two
    sweeps at once share the work, and decided again under the lock against the reminders recorded
    (AppealReminder, unique per case, rung, kind and number), so a second sweep never sends one again. Nothing
    escalates by itself (§5 #22).

    A batch that fails is rolled back and its cases are handled again one per transaction (`_sweep_cases`).
    """
    now = now or timezone.now()
    result = SweepResult()
    rows = list(
        Appeal.objects.filter(state__in=(*OPEN_STATE_VALUES, "resolved"))
        .order_by("pk")
        .values_list(*SWEPT_FIELDS, named=True)
    )
    # All the due cases first, then full batches: a day's few thousand due cases are spread thinly over the
    # tens of thousands read, and each batch has a fixed cost (its lock, policies, handlers, audit head).
    policy_at_path = policies_in_force()
    due = [
        pk
        for start in range(0, len(rows), SWEEP_BATCH)
        for pk in _due_now(rows[start : start + SWEEP_BATCH], now, policy_at_path)
    ]
    for first in range(0, len(due), SWEEP_LOCK_BATCH):
        _sweep_cases(due[first : first + SWEEP_LOCK_BATCH], now, result)
    return result


def _sweep_cases(pks: list[int], now: dt.datetime, result: SweepResult) -> None:
    """One batch; if it fails, each of its cases alone, so that one bad case (a city pack that no longer
    reads, a rule refusing the closing) costs the others nothing: a case that fails alone is logged and counted
    in `failed`, and tried again by the next sweep. When every case of a batch of several fails alone too, the
    fault is not the cases' (the database is gone, a bug in the sweep): it is raised, as it was raised before
    the sweep worked in batches, and the batches already committed stay committed."""
    try:
        result.add(_sweep_batch(pks, now))
        return
    except Exception:
        if len(pks) == 1:
            logger.exception("sweep: appeal %s failed; the sweep goes on without it", pks[0])
            result.failed += 1
            return
        logger.warning("sweep: a batch of %d appeals failed; handling them one by one", len(pks))
    errors: list[Exception] = []
    for pk in pks:
        try:
            result.add(_sweep_batch([pk], now))
        except Exception as exc:
            logger.exception("sweep: appeal %s failed; the sweep goes on without it", pk)
            errors.append(exc)
    if len(errors) == len(pks):
        raise errors[0]
    result.failed += len(errors)


@dataclass(frozen=True)
class Due:
    """What the sweep owes a case now."""

    close: bool = False  # "no response" closing (§5 #27)
    overdue: int = 0  # the number of the overdue reminder due, 0 for none (§5 #22)
    supervision: bool = False  # the supervision notice (BZ-7.2)

    def __bool__(self) -> bool:
        return self.close or bool(self.overdue) or self.supervision


def _due(case: Any, policy: Any, sent: dict[tuple[int, str, str], int], now: dt.datetime) -> Due:
    """The one rule of the sweep, for an Appeal or a row with its fields: `sent` holds the highest reminder
    number recorded per (case, rung, kind). Pure."""
    if case.state == "resolved":
        window = dt.timedelta(days=lifecycle.case_rules(policy).confirmation_days)
        return Due(close=bool(case.resolved_at and now >= case.resolved_at + window))
    if case.state not in OPEN_STATE_VALUES:  # closed or merged since the sweep read it: nothing is owed
        return Due()
    overdue = 0
    if case.due_date is not None:
        deadline = Deadline(case.arrived_at, case.due_date, deadline_rule(policy, case.level))
        number = deadline.reminders_due(now)
        if number > sent.get((case.pk, case.step, "overdue"), 0):
            overdue = number
    late = bool(case.supervision_due and timezone.localdate(now) > case.supervision_due)
    return Due(overdue=overdue, supervision=late and not sent.get((case.pk, case.step, "supervision")))


def _sent(ids: list[int]) -> dict[tuple[int, str, str], int]:
    """The highest reminder number recorded per (case, rung, kind) for the cases `ids`."""
    return {
        (appeal_id, step, kind): number
        for appeal_id, step, kind, number in AppealReminder.objects.filter(appeal_id__in=ids)
        .values_list("appeal_id", "step", "kind")
        .annotate(top=Max("number"))
        .values_list("appeal_id", "step", "kind", "top")
    }


def _due_now(rows: list[Any], now: dt.datetime, policy_at_path: Callable[[str], Any]) -> list[int]:
    """The cases among `rows` (SWEPT_FIELDS, unlocked) with a closing, a reminder or a supervision notice due.

    The same rule as _sweep_batch (`_due`), on an unlocked read: _sweep_batch decides again under the cases'
    locks, so a case changed meanwhile is never acted on twice; this only spares the locks and the reads for
    the many cases with nothing due. Only the cases that may owe something (resolved, past their due date, or
    supervision late: `_may_be_due`) need their policy and their reminders read.
    """
    today = timezone.localdate(now)
    rows = [row for row in rows if _may_be_due(row, now, today)]
    if not rows:
        return []
    sent = _sent([row.pk for row in rows])
    # An appeal's path is its place's: the policies need no read of the places themselves.
    return [row.pk for row in rows if _due(row, policy_at_path(row.path), sent, now)]


def _may_be_due(case: Any, now: dt.datetime, today: dt.date) -> bool:
    """False for a case `_due` would find nothing due for, whatever its policy and reminders."""
    if case.state == "resolved":
        return True
    if case.due_date is not None and now >= overdue_from(case.due_date):
        return True
    return bool(case.supervision_due and today > case.supervision_due)


def _sweep_batch(pks: list[int], now: dt.datetime) -> SweepResult:
    """Handle the cases `pks` in one transaction and return what was done (counted once committed).

    Locks the cases not locked elsewhere (only their own rows: locking their places too would make the other
    sweep skip every case of the same place while this one holds them, and never come back to them), decides
    under the locks what is due (`_due`), and writes it in a few statements: the closings' new states and
    timeline lines, the reminders (AppealReminder) and overdue flags, one chain of audit entries in the cases'
    order, and the notices with their once keys (delivered after commit).
    """
    done = SweepResult()
    with transaction.atomic():
        appeals = list(
            Appeal.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("place")
            .filter(pk__in=pks)
            .order_by("pk")
        )
        done.skipped_locked = len(pks) - len(appeals)
        policy_at_path = policies_in_force()  # read again: the batch decides on what is in force now
        policies = {a.pk: policy_at_path(a.place.path) for a in appeals}
        sent = _sent([a.pk for a in appeals])
        work = [(a, due) for a in appeals if (due := _due(a, policies[a.pk], sent, now))]
        if not work:
            return done
        contexts = {a.pk: context_for(policies[a.pk]) for a, _d in work}
        closed = _close_no_response([a for a, due in work if due.close], contexts, now)
        reminders = [
            (a, kind, number)
            for a, due in work
            for kind, number in (("overdue", due.overdue), ("supervision", int(due.supervision)))
            if number
        ]
        _record_reminders(reminders, now)
        steps = {a.pk: contexts[a.pk].ladders.ladder(a.track).step(a.step) for a, _d in work}
        handlers = dict(
            zip(
                steps,
                handler_ids_many([(a, steps[a.pk].roles, steps[a.pk].level) for a, _d in work]),
                strict=True,
            )
        )
        changes: list[Change] = []
        notices: list[Notification] = []
        # In the cases' order, each case's entries in the order it had them when it was swept alone.
        for a, kind, number in sorted([(a, "close", 0) for a, _d in work if a.pk in closed] + reminders,
                                      key=lambda item: item[0].pk):  # fmt: skip
            if kind == "close":
                moved = closed[a.pk]
                changes.append(Change("appeals.close_no_response", a, moved.old, _snapshot(a)))
                notices += _after_notices(a, moved.applied, None, handlers[a.pk])
                continue
            changes.append(Change(f"appeals.reminder_{kind}", a, after={"number": number}))
            name = "reminder" if kind == "overdue" else "supervision_overdue"
            once = f"appeals:{a.pk}:{a.step}:{kind}:{number}"
            notices.append(Notification(handlers[a.pk], f"appeals.{name}", _subject(a), params=_params(a),
                                        once_key=once))  # fmt: skip
        audit_record_many(actor=None, changes=changes)
        notify_many(notices, now=now)
    done.closed_no_response = len(closed)
    done.reminded = sum(1 for _a, kind, _n in reminders if kind == "overdue")
    done.supervision = len(reminders) - done.reminded
    return done


def _close_no_response(
    appeals: list[Appeal], contexts: dict[int, Context], now: dt.datetime
) -> dict[int, Moved]:
    """§5 #27 for many cases at once: what `_apply(None, appeal, "close_no_response", {}, now)` writes for each,
    the case rows and their timeline lines in two statements; the caller writes the audit entries and notices.

    Each case goes through the lifecycle (`_transit`) as alone. The rows are written back as save() would, but
    only the fields that changed: the cases that changed alike (all of them, for this transition) in one UPDATE,
    with the version bumped in the database (the rows are locked: it is the version `_transit` gave them).
    """
    if not appeals:
        return {}
    fields = [
        f
        for f in Appeal._meta.concrete_fields
        if not f.primary_key and f.name not in ("version", "updated_at")
    ]
    moved: dict[int, Moved] = {}
    events: list[AppealEvent] = []
    alike: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for appeal in appeals:
        before = [getattr(appeal, f.attname) for f in fields]
        m = moved[appeal.pk] = _transit(None, appeal, "close_no_response", {}, contexts[appeal.pk], now)
        record, clause = m.applied.record, m.applied.clause
        events.append(_event_row(appeal, None, m.role, "close_no_response", m.before, record, now, clause))
        values = {
            f.attname: getattr(appeal, f.attname)
            for f, old in zip(fields, before, strict=True)
            if getattr(appeal, f.attname) != old
        }
        alike.setdefault(repr(sorted(values.items())), (values, []))[1].append(appeal.pk)
    stamp = timezone.now()  # as save() sets auto_now
    for appeal in appeals:
        appeal.updated_at = stamp
    for values, pks in alike.values():
        Appeal.objects.filter(pk__in=pks).update(**values, version=F("version") + 1, updated_at=stamp)
    AppealEvent.objects.bulk_create(events)
    return moved


def _record_reminders(reminders: list[tuple[Appeal, str, int]], now: dt.datetime) -> None:
    """The reminders recorded as sent (one insert) and their cases flagged overdue (one update).

    The insert needs no ON CONFLICT: the cases are locked and `_due` was decided under the locks against the
    reminders committed, so no other sweep can have recorded one of these. Should a writer outside the sweep
    ever do so, the unique constraint fails the batch, and its cases are swept again one by one, each seeing
    that reminder recorded.
    """
    if not reminders:
        return
    AppealReminder.objects.bulk_create(
        [
            AppealReminder(appeal=a, step=a.step, kind=kind, number=number, sent_at=now)
            for a, kind, number in reminders
        ]
    )
    flag = {a.pk: a for a, _kind, _number in reminders if not a.overdue}
    if flag:
        Appeal.objects.filter(pk__in=list(flag)).update(overdue=True)  # as save(update_fields=["overdue"])
        for appeal in flag.values():
            appeal.overdue = True
