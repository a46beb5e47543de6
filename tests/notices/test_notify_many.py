"""`notify_many`, the bulk form of `notify` (the sweep's reminders): the same notices as one `notify` per
notification, once keys honoured against the database and within the call, one delivery per kind after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.notices import services
from gongzhi.notices.models import Notice, SmsLog
from gongzhi.notices.services import Notification

pytestmark = pytest.mark.django_db


def test_many_notifications_leave_what_one_notify_each_would(pair):
    subject = services.subject_of(pair["node"], "web:node")
    me, other = pair["me"], pair["other"]
    rows = services.notify_many(
        [
            Notification([me, other.pk, None, me.pk], "appeals.alert", subject, params={"id": 1}),
            Notification([me, other], "appeals.step", subject, message="appeals.step", actor=other),
            Notification([], "appeals.alert", subject),
        ]
    )
    got = [(r.recipient_id, r.kind, r.message, r.params) for r in rows]
    assert got == [
        (me.pk, "appeals.alert", "appeals.alert", {"id": 1}),
        (other.pk, "appeals.alert", "appeals.alert", {"id": 1}),
        (me.pk, "appeals.step", "appeals.step", {}),  # never the actor
    ]
    assert Notice.objects.count() == 3 and all(r.pk for r in rows)
    assert {r.url_args[0] for r in rows} == {pair["node"].pk}


def test_once_keys_against_the_database_and_within_the_call(pair):
    subject = services.subject_of(pair["node"], "web:node")
    me, other = pair["me"], pair["other"]
    services.notify([me], "appeals.reminder", subject, once_key="r:1")
    rows = services.notify_many(
        [
            Notification([me, other], "appeals.reminder", subject, once_key="r:1"),  # me had it already
            Notification([other], "appeals.reminder", subject, once_key="r:1"),  # other: just left above
            Notification([me], "appeals.reminder", subject, once_key="r:2"),
        ]
    )
    assert [(r.recipient_id, r.once_key) for r in rows] == [(other.pk, "r:1"), (me.pk, "r:2")]
    assert (
        services.notify_many([Notification([me, other], "appeals.reminder", subject, once_key="r:1")]) == []
    )
    assert Notice.objects.filter(once_key="r:1").count() == 2


def test_delivered_once_per_kind_after_commit_and_not_on_rollback(pair, django_capture_on_commit_callbacks):
    subject = services.subject_of(pair["node"], "web:node")
    me = pair["me"]  # the one with a phone
    batch = [
        Notification([me], "appeals.reminder", subject, params={"id": n, "category": "safety"})
        for n in (1, 2)
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify_many([*batch, Notification([me], "appeals.step", subject)])
    assert len(callbacks) == 1  # appeals.step goes by no channel here: nothing scheduled for it
    assert SmsLog.objects.filter(recipient=me).count() == 2
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.notify_many(batch)
        raise RuntimeError("the sweep's batch failed")
    assert SmsLog.objects.count() == 2 and Notice.objects.count() == 3
