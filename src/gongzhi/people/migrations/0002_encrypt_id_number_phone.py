"""ID numbers and phones encrypted at rest, looked up and kept unique by keyed hashes (issue 3 §2).

Existing clear values are sealed in place, in batches, with raw SQL: the historical model's field would try to
decrypt them on read. Reversible (opens them again) while the keys are configured.
"""

from typing import Any

from django.db import migrations, models

import gongzhi.core.fields

BATCH = 5000
COLUMNS = (("id_number", "id_number_hash"), ("phone", "phone_hash"))


def _convert(apps: Any, schema_editor: Any, *, seal: bool) -> None:
    from gongzhi.core.fields import keyring

    ring = keyring()
    person = apps.get_model("people", "Person")
    table = person._meta.db_table
    purposes = [person._meta.get_field(col).purpose for col, _ in COLUMNS]
    quote = schema_editor.connection.ops.quote_name
    select = f"SELECT id, id_number, phone FROM {quote(table)} WHERE id > %s ORDER BY id LIMIT {BATCH}"
    update = (
        f"UPDATE {quote(table)} SET id_number = %s, id_number_hash = %s, phone = %s, phone_hash = %s "
        "WHERE id = %s"
    )
    last = 0
    with schema_editor.connection.cursor() as cur:
        while True:
            cur.execute(select, [last])
            rows = cur.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            cur.executemany(update, [_row(ring, purposes, row, seal) for row in rows])


def _row(ring: Any, purposes: list[str], row: tuple, seal: bool) -> list[Any]:
    pk, *values = row
    out: list[Any] = []
    for value, purpose in zip(values, purposes):
        value = value or ""
        sealed = ":" in value  # a clear ID number or phone never holds a colon; makes a re-run harmless
        if seal:
            clear = ring.decrypt(value, purpose) if sealed else value
            out += [value if sealed else ring.encrypt(clear, purpose), ring.lookup(clear, purpose)]
        else:
            out += [ring.decrypt(value, purpose) if sealed else value, ""]
    return [*out, pk]


def seal_values(apps: Any, schema_editor: Any) -> None:
    _convert(apps, schema_editor, seal=True)


def open_values(apps: Any, schema_editor: Any) -> None:
    _convert(apps, schema_editor, seal=False)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='person',
            name='person_id_number_unique',
        ),
        migrations.AddField(
            model_name='person',
            name='id_number_hash',
            field=gongzhi.core.fields.LookupHashField(default='', editable=False, max_length=40, source='id_number'),
        ),
        migrations.AddField(
            model_name='person',
            name='phone_hash',
            field=gongzhi.core.fields.LookupHashField(default='', editable=False, max_length=40, source='phone'),
        ),
        migrations.AlterField(
            model_name='person',
            name='id_number',
            field=gongzhi.core.fields.EncryptedTextField(blank=True, default='', hash_field='id_number_hash', max_length=18, verbose_name='ID number'),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone',
            field=gongzhi.core.fields.EncryptedTextField(blank=True, default='', hash_field='phone_hash', max_length=20, verbose_name='phone'),
        ),
        migrations.RunPython(seal_values, open_values, elidable=False),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('phone_hash', ''), _negated=True), fields=['phone_hash'], name='person_phone_hash'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(condition=models.Q(('id_number_hash', ''), _negated=True), fields=('id_number_hash',), name='person_id_number_unique'),
        ),
    ]
