"""The one way to write audit entries. Services call `audit_record` inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
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
    entry = AuditEntry(
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
        seq=seq,
        prev_hash=prev_hash,
    )
    entry.entry_hash = chain.entry_hash(prev_hash, entry.chain_fields())
    return entry


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


def audit_record_many(*, actor: Any, changes: list[Change]) -> list[AuditEntry]:
    """Write several entries, chained in order. Must run inside the caller's transaction (asserted)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries must be written inside the service's transaction.atomic() block")
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
    return audit_record_many(actor=actor, changes=[change])[0]
