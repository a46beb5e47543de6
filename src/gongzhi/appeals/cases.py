"""Write path of appeal cases (issue 4 §1): submitting, every transition of appeals.lifecycle, the sweep.

Each service runs in one transaction, locks the case it changes (select_for_update), checks an optional
`version` the caller read (a second actor who acted on an older page gets 409 "already_changed"), applies the
transition through lifecycle.apply, stores the new snapshot, a timeline event and an audit entry together, and
leaves notices for the people concerned in the notification centre (gongzhi.notices).
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can
from gongzhi.access.selectors import forbidden
from gongzhi.appeals import lifecycle
from gongzhi.appeals.deadlines import Deadline, case_deadlines, deadline_rule
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
from gongzhi.appeals.selectors import Seat, appeal_get_for, handler_users, seats_for, work_calendar
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, InvalidInput
from gongzhi.notices.services import Subject, notify, subject_of
from gongzhi.policy.selectors import effective_policies, effective_policy
from gongzhi.tree.models import Dwelling, Node

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
    return AppealEvent.objects.create(
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


def _place_for(actor: Any, dwelling: Dwelling | None, place: Node | None, channel: str) -> Node:
    if dwelling is None and place is None:
        raise InvalidInput(_("Choose the home or the place the appeal is about."), code="place_required")
    if channel == Channel.WEB and dwelling is None:
        raise InvalidInput(_("A resident speaks for their home: choose it."), code="dwelling_required")
    if dwelling is not None:
        if not can(actor, Kind.APPEAL, Action.CHANGE, dwelling):
            raise forbidden()
        place = place or dwelling.stairwell
        if not dwelling.path.startswith(place.path):
            raise InvalidInput(_("The place must contain the home."), code="place_not_home")
        return place
    assert place is not None
    if not can(actor, Kind.APPEAL, Action.CHANGE, place):
        raise forbidden()
    return place


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
    description = (description or "").strip()
    if not description or len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("Describe the problem (at most 4000 characters)."), code="description_invalid")
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), code="channel_invalid")
    photos = list(photos or [])
    _check_photos(photos)
    if dwelling is not None:  # read afresh: its grid and path as stored now
        dwelling = Dwelling.objects.select_related("stairwell").get(pk=dwelling.pk)
    place = _place_for(actor, dwelling, place, channel)
    ctx = context_of(place)
    if anonymous and not ctx.policy.value("appeals.anonymous.allowed", True):
        raise InvalidInput(_("Anonymous appeals are not accepted here."), code="anonymous_not_allowed")
    try:
        ancestors = _ancestors(place)
        route = ctx.ladders.route(category, severity=severity, present_levels=set(ancestors))
    except AppealRuleError as exc:
        raise user_error(exc) from exc
    now = received_at or timezone.now()
    household = f"d{dwelling.pk}" if dwelling else f"u{actor.pk}"
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


def _apply(
    actor: Any, appeal: Appeal, name: str, data: dict[str, Any], now: dt.datetime | None = None
) -> Appeal:
    ctx = context_of(appeal.place)
    case = as_case(appeal, ctx)
    seat = _seat_for(actor, appeal, case, name) if actor is not None else Seat("system", "")
    data = _prepared(appeal, name, data, actor)
    now = now or timezone.now()
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
    appeal.save()
    _event(appeal, actor, seat.role, name, before, applied.record, now, applied.clause)
    audit_record(actor=actor, action=f"appeals.{name}", obj=appeal, before=old, after=_snapshot(appeal))
    _after(appeal, ctx, applied, now, actor)
    return appeal


def _after(appeal: Appeal, ctx: Context, applied: lifecycle.Applied, now: dt.datetime, actor: Any) -> None:
    """Who hears of it: the submitter and every handler of the rung on each transition (not the actor); a case
    that arrives at a rung anew tells that rung's handlers so, as an alert where §5 #19 asks for one."""
    name = applied.transition
    step = {"message": "appeals.step", "params": _params(appeal, action=name), "actor": actor, "now": now}
    handlers = _handlers(appeal, ctx)
    if appeal.state == "submitted" and name in (*ARRIVALS, "request_escalation"):
        _notify_handlers(appeal, ctx, "alert" if applied.alert else "arrived", now, actor)
        handlers = []
    notify([appeal.submitter, *handlers], f"appeals.{name}", _subject(appeal), **step)


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


SWEEP_BATCH = 2000


def appeals_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Reminders for overdue cases (§5 #22), overdue supervision, "no response" closing after the window (§5 #27).

    Reads the open and resolved cases in batches and picks those with something due now (`_due_now`); each of
    those is then handled in one short transaction, locked with SKIP LOCKED on PostgreSQL: two sweeps at once
    share the work, and a reminder is recorded (AppealReminder, unique per case, rung and number) with its
    notifications, so a second sweep never sends it again. Nothing escalates by itself (§5 #22).
    """
    now = now or timezone.now()
    result = SweepResult()
    ids = list(
        Appeal.objects.filter(state__in=(*OPEN_STATE_VALUES, "resolved"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), SWEEP_BATCH):
        for pk in _due_now(ids[start : start + SWEEP_BATCH], now):
            with transaction.atomic():
                appeal = (
                    # Only the case's row: locking its place too would make the other sweep skip every case
                    # of the same place while this one is being handled, and never come back to them.
                    Appeal.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("place")
                    .filter(pk=pk)
                    .first()
                )
                if appeal is None:
                    result.skipped_locked += 1
                    continue
                _sweep_one(appeal, now, result)
    return result


def _due_now(ids: list[int], now: dt.datetime) -> list[int]:
    """The cases among `ids` with a closing, a reminder or a supervision notice due, in three queries.

    The same tests as _sweep_one, on an unlocked read: _sweep_one decides again under the case's lock, so a
    case changed meanwhile is never acted on twice; this only spares the lock and the reads for the many cases
    with nothing due.
    """
    fields = ("pk", "state", "place_id", "path", "level", "step", "arrived_at", "due_date", "resolved_at",
              "supervision_due")  # fmt: skip
    rows = list(Appeal.objects.filter(pk__in=ids).values_list(*fields, named=True))
    # An appeal's path is its place's: the policies need no read of the places themselves.
    policies = effective_policies({r.place_id: Node(pk=r.place_id, path=r.path) for r in rows}.values())
    sent: dict[tuple[int, str, str], int] = {
        (appeal_id, step, kind): number
        for appeal_id, step, kind, number in AppealReminder.objects.filter(appeal_id__in=ids)
        .values_list("appeal_id", "step", "kind")
        .annotate(top=Max("number"))
        .values_list("appeal_id", "step", "kind", "top")
    }
    today = timezone.localdate(now)
    due = []
    for row in rows:
        policy = policies[row.place_id]
        if row.state == "resolved":
            window = dt.timedelta(days=lifecycle.case_rules(policy).confirmation_days)
            if row.resolved_at and now >= row.resolved_at + window:
                due.append(row.pk)
            continue
        if row.due_date is not None:
            deadline = Deadline(row.arrived_at, row.due_date, deadline_rule(policy, row.level))
            if deadline.reminders_due(now) > sent.get((row.pk, row.step, "overdue"), 0):
                due.append(row.pk)
                continue
        late = row.supervision_due and today > row.supervision_due
        if late and not sent.get((row.pk, row.step, "supervision")):
            due.append(row.pk)
    return due


def _sweep_one(appeal: Appeal, now: dt.datetime, result: SweepResult) -> None:
    ctx = context_of(appeal.place)
    if appeal.state == "resolved":
        if appeal.resolved_at and now >= appeal.resolved_at + dt.timedelta(
            days=lifecycle.case_rules(ctx.policy).confirmation_days
        ):
            _apply(None, appeal, "close_no_response", {}, now)
            result.closed_no_response += 1
        return
    if appeal.due_date is not None:
        deadline = Deadline(appeal.arrived_at, appeal.due_date, deadline_rule(ctx.policy, appeal.level))
        due = deadline.reminders_due(now)
        if due and _remind(appeal, ctx, "overdue", due, now):
            result.reminded += 1
    late = appeal.supervision_due and timezone.localdate(now) > appeal.supervision_due
    if late and _remind(appeal, ctx, "supervision", 1, now):
        result.supervision += 1


def _remind(appeal: Appeal, ctx: Context, kind: str, number: int, now: dt.datetime) -> bool:
    sent = AppealReminder.objects.filter(
        appeal=appeal, step=appeal.step, kind=kind, number__gte=number
    ).exists()
    if sent:
        return False
    AppealReminder.objects.create(appeal=appeal, step=appeal.step, kind=kind, number=number, sent_at=now)
    if not appeal.overdue:
        appeal.overdue = True
        appeal.save(update_fields=["overdue"])
    once = f"appeals:{appeal.pk}:{appeal.step}:{kind}:{number}"
    name = "reminder" if kind == "overdue" else "supervision_overdue"
    _notify_handlers(appeal, ctx, name, now, once_key=once)
    audit_record(actor=None, action=f"appeals.reminder_{kind}", obj=appeal, after={"number": number})
    return True
