"""The sweep in batches (issue 4 §4, §5 #22, #27, BZ-7.2): the due cases are locked and handled a few hundred
per transaction, and a batch does what sweeping its cases one at a time did: the same reminders, closings,
timeline lines, audit entries and notices, each once; a case changed or locked meanwhile is left alone, and a
case that fails costs the others nothing."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.db import connections, transaction
from django.utils import timezone

from gongzhi.appeals import cases
from gongzhi.appeals.models import Appeal, AppealEvent, AppealReminder
from gongzhi.appeals.selectors import handler_ids_many, handler_users
from gongzhi.audit.models import AuditEntry
from gongzhi.audit.selectors import audit_verify
from gongzhi.notices.models import Notice

from .cases_world import city_world

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=40)


def submit(w, category, n=0):
    return cases.appeal_submit(
        actor=w["users"][f"resident{n}"], dwelling=w["homes"][n], category=category, description="问题"
    ).appeal


def act(w, who, appeal, name, **data):
    return cases.appeal_transition(actor=w["users"][who], appeal_id=appeal.pk, transition=name, data=data)


def notices(appeal, kind):
    return Notice.objects.filter(subject_type="appeals.appeal", subject_id=appeal.pk, kind=kind)


def resolved_case(w, n):
    appeal = submit(w, "parking", n)
    act(w, "owners_committee_member", appeal, "accept")
    return act(w, "owners_committee_member", appeal, "resolve", resolution="已划线")


def six_late_cases(w):
    return [submit(w, category, n) for n in (0, 1) for category in ("sanitation", "parking", "safety")]


def test_batches_of_any_size_send_the_same(actor, monkeypatch):
    """Batches of 2 over 6 late cases: each reminded once, flagged overdue, one audit entry each, and the
    handlers of its rung told once; the audit chain verifies."""
    monkeypatch.setattr(cases, "SWEEP_LOCK_BATCH", 2)
    w = city_world(actor, "huzhou")
    late = six_late_cases(w)
    now = timezone.now() + LATER
    first = cases.appeals_sweep(now=now)
    assert (first.reminded, first.skipped_locked, first.failed) == (6, 0, 0)
    assert cases.appeals_sweep(now=now).reminded == 0
    for appeal in late:
        appeal.refresh_from_db()
        assert appeal.overdue
        reminder = AppealReminder.objects.get(appeal=appeal)
        assert (reminder.kind, reminder.step, reminder.sent_at) == ("overdue", appeal.step, now)
        ctx = cases.context_of(appeal.place)
        rung = {u.pk for u in cases._handlers(appeal, ctx)}
        sent = notices(appeal, "appeals.reminder")
        assert sorted(sent.values_list("recipient", flat=True)) == sorted(rung) and rung
        once = f"appeals:{appeal.pk}:{appeal.step}:overdue:{reminder.number}"
        assert set(sent.values_list("once_key", flat=True)) == {once}
        entry = AuditEntry.objects.get(action="appeals.reminder_overdue", object_id=str(appeal.pk))
        assert entry.after == {"number": reminder.number} and entry.actor_id is None
    assert audit_verify()[1] is None


def test_a_batch_closes_as_the_lifecycle_closes_one_case(actor):
    """§5 #27: the sweep's bulk closing writes what the lifecycle's own path (`_apply`) writes for a case."""
    w = city_world(actor, "huzhou")
    alone, swept = resolved_case(w, 0), resolved_case(w, 1)
    now = timezone.now() + dt.timedelta(days=8)
    with transaction.atomic():
        cases._apply(
            None, Appeal.objects.select_related("place").get(pk=alone.pk), "close_no_response", {}, now
        )
    result = cases.appeals_sweep(now=now)
    assert result.closed_no_response == 1

    def written(appeal, submitter):
        appeal = Appeal.objects.get(pk=appeal.pk)
        event = AppealEvent.objects.get(appeal=appeal, transition="close_no_response")
        entry = AuditEntry.objects.get(action="appeals.close_no_response", object_id=str(appeal.pk))
        told = notices(appeal, "appeals.close_no_response")
        return (
            (appeal.state, appeal.version, appeal.overdue, appeal.resolved_at is not None),
            (
                event.at,
                event.actor_id,
                event.actor_role,
                event.from_state,
                event.to_state,
                event.from_step,
                event.to_step,
                event.record,
                event.clause,
            ),  # fmt: skip
            (entry.actor_id, entry.before, entry.after),
            sorted(told.values_list("message", flat=True)),
            {
                r if r != w["users"][submitter].pk else "submitter"
                for r in told.values_list("recipient", flat=True)
            },
            [{**p, "id": 0} for p in told.values_list("params", flat=True)],
        )

    assert written(swept, "resident1") == written(alone, "resident0")
    assert written(swept, "resident1")[0][0] == "closed_no_response"
    assert audit_verify()[1] is None


def test_supervision_overdue_is_told_once(actor):
    """BZ-7.2: past the supervision due date, the rung's handlers are told once (and the case is flagged)."""
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation")
    due = timezone.localdate() + dt.timedelta(days=1)
    act(w, "community_worker", appeal, "supervise", due=due)
    now = timezone.now() + dt.timedelta(days=2)  # before the rung's own deadline
    first = cases.appeals_sweep(now=now)
    assert (first.supervision, first.reminded) == (1, 0)
    assert cases.appeals_sweep(now=now).supervision == 0
    assert AppealReminder.objects.get(appeal=appeal).kind == "supervision"
    told = notices(appeal, "appeals.supervision_overdue")
    assert told.count() == len(cases._handlers(appeal, cases.context_of(appeal.place))) > 0
    assert Appeal.objects.get(pk=appeal.pk).overdue


def test_a_case_changed_after_it_was_picked_is_decided_again_under_the_lock(actor, monkeypatch):
    """Between `_due_now` (unlocked) and the lock, the resident confirms one case and another sweep reminds
    another: the batch sends nothing for either (neither a closing nor, for the case now closed, a reminder
    on its old deadline), and still reminds the third."""
    w = city_world(actor, "huzhou")
    resolved = resolved_case(w, 1)
    late, other = submit(w, "sanitation", 0), submit(w, "safety", 0)
    now = timezone.now() + LATER
    picked = cases._due_now

    def racing(rows, when, *policies):
        due = picked(rows, when, *policies)
        assert {resolved.pk, late.pk, other.pk} <= set(due)
        act(w, "resident1", resolved, "confirm", rating=4)
        case = Appeal.objects.get(pk=late.pk)
        number = cases._due(case, cases.context_of(late.place).policy, {}, when).overdue
        AppealReminder.objects.create(
            appeal=case, step=case.step, kind="overdue", number=number, sent_at=when
        )
        return due

    monkeypatch.setattr(cases, "_due_now", racing)
    result = cases.appeals_sweep(now=now)
    assert (result.reminded, result.closed_no_response, result.failed) == (1, 0, 0)
    assert Appeal.objects.get(pk=resolved.pk).state == "closed"
    assert not AppealReminder.objects.filter(appeal=resolved).exists()
    assert not notices(late, "appeals.reminder").exists()
    assert notices(other, "appeals.reminder").exists()
    assert AppealReminder.objects.filter(appeal=late).count() == 1


def test_a_failing_case_costs_the_others_nothing(actor, caplog):
    """One case whose rung is no longer on its ladder (a pack changed): its batch is rolled back and swept
    again case by case; that case is logged and counted in `failed` and the five others are reminded."""
    w = city_world(actor, "huzhou")
    late = six_late_cases(w)
    bad = late[2]
    Appeal.objects.filter(pk=bad.pk).update(step="gone")
    with caplog.at_level(logging.ERROR, logger="gongzhi.appeals"):
        result = cases.appeals_sweep(now=timezone.now() + LATER)
    assert (result.reminded, result.failed, result.skipped_locked) == (5, 1, 0)
    assert f"appeal {bad.pk} failed" in caplog.text
    assert not AppealReminder.objects.filter(appeal=bad).exists()
    assert not Appeal.objects.get(pk=bad.pk).overdue
    assert AppealReminder.objects.filter(appeal__in=late).count() == 5
    assert audit_verify()[1] is None


def test_a_fault_in_every_case_is_raised(actor, monkeypatch):
    """When every case of a batch fails alone too, the fault is not the cases': the sweep raises."""
    w = city_world(actor, "huzhou")
    six_late_cases(w)

    def broken(*args, **kwargs):
        raise RuntimeError("handlers unavailable")

    monkeypatch.setattr(cases, "handler_ids_many", broken)
    with pytest.raises(RuntimeError, match="handlers unavailable"):
        cases.appeals_sweep(now=timezone.now() + LATER)
    assert not AppealReminder.objects.exists()


def test_the_bulk_handler_lookup_finds_what_handler_users_finds(actor):
    """handler_ids_many answers, for many cases at once, what handler_users answers for each: every rung of
    every ladder of each city, node and grid roles alike."""
    wanted = []
    for city in ("binzhou", "cangzhou", "ningbo", "huzhou"):
        w = city_world(actor, city)
        for n, category in enumerate(("parking", "sanitation")):
            appeal = submit(w, category, n)
            ctx = cases.context_of(appeal.place)
            wanted += [(appeal, step.roles, step.level) for step in ctx.ladders.ladder(appeal.track).steps]
    found = handler_ids_many(wanted)
    expected = [{u.pk for u in handler_users(appeal, roles, level)} for appeal, roles, level in wanted]
    assert [set(ids) for ids in found] == expected
    assert all(len(ids) == len(set(ids)) for ids in found)
    assert sum(map(len, found)) > len(wanted)  # the worlds do have handlers on most rungs
    assert handler_ids_many([]) == []


@pytest.mark.django_db(transaction=True)
def test_a_case_locked_elsewhere_is_skipped_counted_and_swept_next_time(postgres, actor):
    """A handler holds one case of the batch: the sweep skips it (SKIP LOCKED), counts it, and reminds the
    others; the next sweep reminds it."""
    w = city_world(actor, "huzhou")
    late = six_late_cases(w)
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Appeal.objects.select_for_update().get(pk=late[0].pk)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        now = timezone.now() + LATER
        first = cases.appeals_sweep(now=now)
    finally:
        release.set()
        holder.join()
    assert (first.reminded, first.skipped_locked) == (5, 1)
    assert not AppealReminder.objects.filter(appeal=late[0]).exists()
    second = cases.appeals_sweep(now=now)
    assert (second.reminded, second.skipped_locked) == (1, 0)
    assert AppealReminder.objects.filter(appeal__in=late).count() == 6


def test_the_sweep_command_sweeps_the_others_then_reports_the_failure(actor):
    import io

    from django.core.management import CommandError, call_command

    w = city_world(actor, "huzhou")
    good, bad = submit(w, "sanitation"), submit(w, "safety")
    Appeal.objects.filter(pk__in=[good.pk, bad.pk]).update(
        due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    Appeal.objects.filter(pk=bad.pk).update(step="gone")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1"):
        call_command("sweep", stdout=out)
    assert "reminded 1," in out.getvalue() and "failed 1" in out.getvalue()
    assert AppealReminder.objects.filter(appeal=good).exists()


def test_the_sweeps_policy_reader_agrees_with_effective_policies(actor):
    """The sweep reads every pack and active override once and layers each place's policy itself: the same
    policy as effective_policies gives, on every node of two cities, below and beside a local override."""
    from gongzhi.policy.selectors import effective_policies, policies_in_force
    from gongzhi.policy.services import policy_override_set
    from gongzhi.tree.models import Node

    huzhou, ningbo = city_world(actor, "huzhou"), city_world(actor, "ningbo")
    key = "owners_committee.term_years.max"  # HZ-A.3.1.3: delegable to the owners' assembly
    policy_override_set(
        actor=actor, node=huzhou["compound"], key=key, value=4, reason="业主大会议事规则第8条"
    )
    nodes = list(Node.objects.all())
    expected = effective_policies(nodes)
    policy_at_path = policies_in_force()
    for node in nodes:
        got, want = policy_at_path(node.path), expected[node.pk]
        assert [(v.key, v.value, v.source) for v in got] == [(v.key, v.value, v.source) for v in want]
    assert policy_at_path(huzhou["building"].path).value(key) == 4
    assert policy_at_path(huzhou["community"].path).value(key) == 5
    assert policy_at_path(ningbo["building"].path).pack == "ningbo"
