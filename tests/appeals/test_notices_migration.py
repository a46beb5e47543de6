"""Appeals' own notification rows move into the one notification centre (migration appeals 0004): each keeps
its recipient, case, time and read state, and reads as the same kind of notice."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone, translation

from gongzhi.appeals import cases
from gongzhi.notices.messages import render
from gongzhi.notices.models import Notice

from .cases_world import city_world

BEFORE = [
    ("appeals", "0002_appeal_appealevent_appealphoto_appealreminder_and_more"),
    ("notices", "0001_initial"),
]
MIGRATION = "gongzhi.appeals.migrations.0004_notifications_to_notices"


@pytest.mark.django_db(transaction=True)
def test_old_notifications_become_notices(actor):
    w = city_world(actor, "huzhou")
    appeal = cases.appeal_submit(
        actor=w["users"]["resident0"], dwelling=w["homes"][0], category="sanitation", description="楼道堆物"
    ).appeal
    Notice.objects.all().delete()  # only the rows the migration makes
    old_apps = MigrationLoader(connection).project_state(BEFORE).apps
    Notification = old_apps.get_model("appeals", "Notification")
    with connection.schema_editor() as editor:
        editor.create_model(Notification)
    try:
        read = timezone.now()
        for kind, user, read_at in (("alert", "building_leader", None), ("accept", "resident0", read)):
            Notification.objects.create(
                recipient_id=w["users"][user].pk,
                appeal_id=appeal.pk,
                kind=kind,
                created_at=read,
                read_at=read_at,
            )
        importlib.import_module(MIGRATION).forward(old_apps, None)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Notification)
    alert = Notice.objects.get(recipient=w["users"]["building_leader"])
    assert (alert.kind, alert.subject_type, alert.subject_id, alert.read_at) == (
        "appeals.alert",
        "appeals.appeal",
        appeal.pk,
        None,
    )
    accepted = Notice.objects.get(recipient=w["users"]["resident0"])
    assert (accepted.kind, accepted.message, accepted.read_at) == ("appeals.accept", "appeals.step", read)
    assert (accepted.url_name, accepted.url_args) == ("appeals:detail", [appeal.pk])
    with translation.override("en"):
        assert render(accepted.message, accepted.params) == f"Appeal #{appeal.pk} (sanitation): Accept."
