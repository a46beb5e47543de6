"""Appeals' own Notification rows move into the one notification centre (notices.Notice), then the table goes.

Old kinds map onto the centre's message codes: "submit" → arrived, "alert", "reminder", "supervision_overdue"
as they were, any transition name → the generic step message with that action.
"""

from django.db import migrations

SPECIAL = {
    "submit": "appeals.arrived",
    "alert": "appeals.alert",
    "reminder": "appeals.reminder",
    "supervision_overdue": "appeals.supervision_overdue",
}


def forward(apps, schema_editor):
    Notification = apps.get_model("appeals", "Notification")
    Notice = apps.get_model("notices", "Notice")
    batch = []
    for n in Notification.objects.select_related("appeal").order_by("pk").iterator(chunk_size=2000):
        special = SPECIAL.get(n.kind)
        params = {"id": n.appeal_id, "category": n.appeal.category}
        if special is None:
            params["action"] = n.kind
        batch.append(
            Notice(
                recipient_id=n.recipient_id,
                kind=special or f"appeals.{n.kind}",
                subject_type="appeals.appeal",
                subject_id=n.appeal_id,
                message=special or "appeals.step",
                params=params,
                url_name="appeals:detail",
                url_args=[n.appeal_id],
                created_at=n.created_at,
                read_at=n.read_at,
            )
        )
        if len(batch) >= 2000:
            Notice.objects.bulk_create(batch)
            batch = []
    Notice.objects.bulk_create(batch)


def backward(apps, schema_editor):
    Notification = apps.get_model("appeals", "Notification")
    Notice = apps.get_model("notices", "Notice")
    kinds = {v: k for k, v in SPECIAL.items()}
    rows = Notice.objects.filter(subject_type="appeals.appeal").order_by("pk")
    Notification.objects.bulk_create(
        Notification(
            recipient_id=n.recipient_id,
            appeal_id=n.subject_id,
            kind=kinds.get(n.kind, n.kind.removeprefix("appeals.")),
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in rows.iterator(chunk_size=2000)
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0003_dashboard_indexes"),
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="Notification"),
    ]
