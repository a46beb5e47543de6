"""Reads over the audit trail, and the chain check behind `gongzhi audit verify`."""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from gongzhi.audit import chain
from gongzhi.audit.models import CHAIN_COLUMNS, AuditEntry, AuditHead, chain_fields

ChainRow = tuple[int | None, int, str, str, tuple[Any, ...]]


def _chain_rows(batch: int = 5000) -> Iterator[ChainRow]:
    unchained = AuditEntry.objects.filter(seq__isnull=True).values_list("id", flat=True).first()
    if unchained is not None:
        yield None, unchained, "", "", ()
        return
    if connection.vendor == "postgresql":
        yield from _chain_rows_postgresql(batch)
    else:
        yield from _chain_rows_orm(batch)


def _chain_rows_orm(batch: int) -> Iterator[ChainRow]:
    columns = ["id", "prev_hash", "entry_hash", *CHAIN_COLUMNS]
    rows = AuditEntry.objects.order_by("seq").values_list(*columns).iterator(chunk_size=batch)
    for entry_id, prev_hash, entry_hash, *values in rows:
        yield values[0], entry_id, prev_hash, entry_hash, chain_fields(*values)


# The same rows as _chain_rows_orm, read without the ORM (issue 3 §5: ≥ 50,000 entries/s on PostgreSQL).
# The database formats `at` exactly as chain_fields() does (UTC, microseconds, "+00:00"), which saves parsing
# and re-formatting a datetime per entry; jsonb arrives as text and is decoded once; inet arrives as text, as
# the ORM reads it. tests/audit/test_chain.py checks that both readers give identical rows.
_CHAIN_SQL = """
SELECT id, prev_hash, entry_hash, seq,
       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
       actor_id, action, object_type, object_id, object_repr, node_path, before, after, source_ip
FROM {table} ORDER BY seq
"""


def _chain_rows_postgresql(batch: int) -> Iterator[ChainRow]:
    # json.loads() less its per-call whitespace checks (jsonb text has none around the value).
    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
    with connection.chunked_cursor() as cursor:  # a server-side cursor: memory stays flat
        cursor.execute(_CHAIN_SQL.format(table=AuditEntry._meta.db_table))
        while rows := cursor.fetchmany(batch):
            for row in rows:
                before = None if row[11] is None else scan(row[11], 0)[0]
                after = None if row[12] is None else scan(row[12], 0)[0]
                yield row[3], row[0], row[1], row[2], (*row[3:11], before, after, row[13])


def audit_verify() -> tuple[int, chain.Break | None]:
    """Check the whole chain against the head; (entries verified, first break or None)."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "entry_hash").first()
    return chain.verify(_chain_rows(), head=head or (0, chain.GENESIS))


# --- Reading the trail (issue 3 §3): an object's history, and a search for auditors -------------------

AUDITOR_ROLES = frozenset({"district_officer", "street_officer"})


def auditor_paths(user: Any) -> list[str] | None:
    """Subtrees whose trail `user` may search: None = all (superuser); [] = none (not an auditor)."""
    if getattr(user, "is_superuser", False):
        return None
    from gongzhi.accounts.selectors import active_roles

    return sorted({r.scope_path for r in active_roles(user) if r.role in AUDITOR_ROLES})


def audit_history(obj: Any) -> QuerySet[AuditEntry]:
    """Every entry about one object, newest first. The caller has already checked the object's access."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor"
    )


def audit_search(
    paths: list[str] | None,
    *,
    actor: str = "",
    action: str = "",
    node_path: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries under the auditor's subtrees, filtered by actor user name, action prefix, node and dates."""
    qs = AuditEntry.objects.select_related("actor")
    if paths is not None:
        scope = Q(pk__in=[])
        for p in paths:
            scope |= Q(node_path__startswith=p)
        qs = qs.filter(scope)
    if actor:
        qs = qs.filter(actor__username=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if node_path:
        qs = qs.filter(node_path__startswith=node_path)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-seq")
