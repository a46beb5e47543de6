"""Audit chain benchmark (issue 3 §5, `audit_verify_entries_per_s`, target ≥ 50,000 on PostgreSQL).

Appends `entries` audit entries through the one write path (audit_record_many, so the chain is the real one),
in large transactions, then times a full `audit_verify()` over the whole trail (the demo's entries included).

    from gongzhi.audit.bench import bench_verify
    bench_verify(200_000)  # {"audit_verify_entries_per_s": …, "audit_entries_verified": …}
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.audit.models import AuditEntry
from gongzhi.audit.selectors import audit_verify
from gongzhi.audit.services import Change, _actor_id, _build, _lock_head, audit_record_many

BATCH = 20_000


def audit_entries_write(entries: int, *, batch: int = BATCH) -> None:
    """Append `entries` chained entries about one benchmark user, `batch` per transaction."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="audit-bench")
    append = _append_copy if connection.vendor == "postgresql" else audit_record_many
    written = 0
    while written < entries:
        size = min(batch, entries - written)
        changes = [_change(user, written + i) for i in range(size)]
        with transaction.atomic():
            append(actor=user, changes=changes)
        written += size


COPY_COLUMNS = [
    "at", "actor_id", "action", "object_type", "object_id", "object_repr", "node_path",
    "before", "after", "source_ip", "seq", "prev_hash", "entry_hash",
]  # fmt: skip


def _append_copy(*, actor: Any, changes: list[Change]) -> None:
    """As audit_record_many (same head lock, same entries and hashes), written with COPY: only the benchmark
    needs 200,000 entries in seconds, and a bulk INSERT of that size spends its time building the query."""
    head = _lock_head()
    at, actor_id, seq, prev = timezone.now(), _actor_id(actor), head.seq, head.entry_hash
    table = AuditEntry._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
    ):
        for change in changes:
            seq += 1
            entry = _build(actor_id, change, seq, prev, at)
            prev = entry.entry_hash
            copy.write_row([_copy_value(entry, name) for name in COPY_COLUMNS])
    head.seq, head.entry_hash = seq, prev
    head.save(update_fields=["seq", "entry_hash"])


def _copy_value(entry: AuditEntry, name: str) -> Any:
    value = getattr(entry, name)
    return json.dumps(value) if name in ("before", "after") and value is not None else value


def _change(obj: Any, i: int) -> Change:
    """A realistic entry: a small before/after with text, a number and a decimal string."""
    return Change(
        action="bench.changed",
        obj=obj,
        before={"name": f"旧名称{i}", "floor": i % 33, "area": "89.47"},
        after={"name": f"新名称{i}", "floor": i % 33, "area": "90.12", "tags": ["dibao"]},
        node_path=f"0001{i % 97:04d}",
    )


def bench_verify(entries: int = 200_000) -> dict[str, int]:
    """Write `entries`, then verify the whole chain once; raises if the chain does not verify."""
    audit_entries_write(entries)
    started = time.perf_counter()
    count, broken = audit_verify()
    seconds = time.perf_counter() - started
    if broken is not None:
        raise RuntimeError(f"audit chain broken at #{broken.seq}: {broken.problem}")
    return {"audit_verify_entries_per_s": round(count / seconds), "audit_entries_verified": count}
