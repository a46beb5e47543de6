"""Insert many rows fast and get their ids back: COPY on PostgreSQL, bulk_create elsewhere.

Django's bulk_create spends most of a large import building model instances and per-field SQL parameters. On
PostgreSQL the ids are drawn from the table's sequence first and the rows are streamed with COPY. Values must
be ready for the database (attnames such as "dwelling_id", Decimal, date); omitted fields take the model field's
default (auto_now/auto_now_add fields: now). No save() or signals run, as with bulk_create; encrypted fields
and their lookup hashes (core.fields) are sealed and hashed here from the clear values in the row.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.utils import timezone


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[field.attname] = now
        else:
            out[field.attname] = field.get_default()
    return out


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` (dicts by attname) in order; returns their new primary keys in the same order."""
    if not rows:
        return []
    defaults = _defaults(model)
    if connection.vendor != "postgresql":
        objs = [model(**{**defaults, **row}) for row in rows]
        model._default_manager.bulk_create(objs)
        return [obj.pk for obj in objs]
    table = model._meta.db_table
    pk_column = str(model._meta.pk.column)
    columns = list(defaults)
    # Encrypted fields and their lookup hashes, computed from the row's clear values (COPY bypasses the fields).
    derived = [
        (columns.index(f.attname), f.bulk_encoder())
        for f in model._meta.concrete_fields
        if hasattr(f, "bulk_encoder")
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        sql = f"COPY {quote(table)} ({quote(pk_column)}, {', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = [row.get(c, defaults[c]) for c in columns]
                for index, compute in derived:
                    values[index] = compute(row)
                copy.write_row([pk, *values])
    return ids
