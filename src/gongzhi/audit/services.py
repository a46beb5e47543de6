"""The one way to write audit entries. Services call `audit_record` inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from gongzhi.audit import chain
from gongzhi.audit.context import current_ip
from gongzhi.audit.models import AuditEntry, AuditHead


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        if all(type(v) is int or type(v) is str for v in value):  # id lists of bulk imports: no recursion
            return list(value)
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, float):
        return repr(value)  # floats do not survive every JSON round trip bit for bit; the hash must
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-ready values (FKs as ids), for before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(obj, attname))
    return out


def _masked(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Before/after never hold a clear ID number or phone: the chained trail cannot be purged later (PIPL)."""
    if not values:
        return values
    from gongzhi.people.masking import mask_id_number, mask_phone

    out = dict(values)
    for key, mask in (("id_number", mask_id_number), ("phone", mask_phone)):
        if isinstance(out.get(key), str) and out[key]:
            out[key] = mask(out[key])
    return out


@dataclass
class Change:
    """One audit entry to write with `audit_record_many` (bulk writers such as the roster import)."""

    action: str
    obj: models.Model
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    node_path: str = ""


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # the first entry ever: create the head, then lock it like every later writer does
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _build(actor_id: int | None, change: Change, seq: int, prev_hash: str, at: dt.datetime) -> AuditEntry:
    entry = _unchained(actor_id, change, at)
    entry.seq, entry.prev_hash = seq, prev_hash
    entry.entry_hash = chain.entry_hash(prev_hash, entry.chain_fields())
    return entry


def _unchained(actor_id: int | None, change: Change, at: dt.datetime) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor_id=actor_id,
        action=change.action,
        object_type=change.obj._meta.label_lower,
        object_id=str(change.obj.pk),
        object_repr=str(change.obj)[:200],
        node_path=change.node_path,
        before=_jsonable(_masked(change.before)) if change.before is not None else None,
        after=_jsonable(_masked(change.after)) if change.after is not None else None,
        source_ip=_normal_ip(current_ip.get()),
    )


def _normal_ip(ip: str | None) -> str | None:
    """The address as the database gives it back (PostgreSQL's inet lower-cases and compresses IPv6), so the
    hash computed here matches the one `audit verify` recomputes from the stored row."""
    if ip and ":" in ip:
        from django.utils.ipv6 import clean_ipv6_address

        try:
            return clean_ipv6_address(ip)
        except ValidationError:
            return ip
    return ip


def _actor_id(actor: Any) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries must be written inside the service's transaction.atomic() block")


def audit_record_many(*, actor: Any, changes: list[Change]) -> list[AuditEntry]:
    """Write several entries, chained in order. Must run inside the caller's transaction (asserted)."""
    _require_transaction()
    if not changes:
        return []
    head = _lock_head()
    at = timezone.now()
    actor_id = _actor_id(actor)
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.entry_hash
    for change in changes:
        seq += 1
        entry = _build(actor_id, change, seq, prev, at)
        entries.append(entry)
        prev = entry.entry_hash
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    head.seq, head.entry_hash = seq, prev
    head.save(update_fields=["seq", "entry_hash"])
    return entries


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    node_path: str = "",
) -> AuditEntry:
    """Write one audit entry. Must be called inside the service's transaction (asserted)."""
    change = Change(action=action, obj=obj, before=before, after=after, node_path=node_path)
    if connection.vendor == "postgresql":
        _require_transaction()
        entry = _append_one_postgresql(_actor_id(actor), change)
        if entry is not None:
            return entry
    return audit_record_many(actor=actor, changes=[change])[0]


# One entry in one statement on PostgreSQL, where lock, read and write of the head and the insert were three
# round trips, all inside the chain's lock (every service's entry waits on the one head row; issue 5 §5). The
# UPDATE locks the head, and its SET computes the next seq and the entry's hash from the head's latest version:
# under READ COMMITTED an UPDATE that waited for the row re-reads it once the holder commits, as `n = n + 1`
# does, so entries chain without forks. The hash is chain.entry_hash computed by the database: SHA-256 over the
# previous hash and the canonical JSON, whose fields after seq are encoded here (chain.canonical_after_seq).
_APPEND_ONE_SQL = f"""
WITH head AS (
    UPDATE {AuditHead._meta.db_table}
    SET seq = seq + 1, prev_hash = entry_hash,
        entry_hash = encode(sha256(convert_to(entry_hash || '[' || (seq + 1) || ',' || %s, 'UTF8')), 'hex')
    WHERE id = 1
    RETURNING seq, prev_hash, entry_hash
)
INSERT INTO {AuditEntry._meta.db_table} (
    at, actor_id, action, object_type, object_id, object_repr, node_path, before, after, source_ip,
    seq, prev_hash, entry_hash
)
SELECT %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s::inet, seq, prev_hash, entry_hash FROM head
RETURNING id, seq, prev_hash, entry_hash
"""


def _append_one_postgresql(actor_id: int | None, change: Change) -> AuditEntry | None:
    """The entry, chained after the head; None (and nothing written) before the head row exists."""
    # The time is taken before the head's lock, not after it: between writers that waited for each other, `at`
    # may run a few milliseconds out of seq order (seq, not time, is the chain's order).
    entry = _unchained(actor_id, change, timezone.now())
    entry.seq = 0  # a stand-in: canonical_after_seq leaves seq out
    values: list[Any] = [
        chain.canonical_after_seq(entry.chain_fields()),
        entry.at,
        entry.actor_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.node_path,
        None if entry.before is None else json.dumps(entry.before),
        None if entry.after is None else json.dumps(entry.after),
        entry.source_ip,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_ONE_SQL, values)
        row = cursor.fetchone()
    if row is None:
        return None
    entry.pk, entry.seq, entry.prev_hash, entry.entry_hash = row
    entry._state.adding, entry._state.db = False, connection.alias
    # The database hashed text it was given; a server encoding that changed a character would leave an entry that
    # `audit verify` reports as changed. Refuse it now (the service's transaction rolls back) rather than later.
    if chain.entry_hash(entry.prev_hash, entry.chain_fields()) != entry.entry_hash:
        raise RuntimeError("the database computed a different audit hash; check its encoding is UTF8")
    return entry
