"""Re-seal every encrypted value under the newest data key and re-hash under the newest lookup key.

Operators put the new key first in GONGZHI_DATA_KEYS (or GONGZHI_LOOKUP_KEYS), keep the old one after it,
restart, run `gongzhi rotate-key`, then drop the old key. Until then both open values and both match lookups.
Rows are taken in primary-key order, a batch per transaction (locked on PostgreSQL); a value already under the
newest key is left alone, so a run that stops half-way is resumed by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from gongzhi.audit.services import audit_record
from gongzhi.core.crypto import Keyring
from gongzhi.core.fields import EncryptedTextField, keyring
from gongzhi.core.models import KeyRotation

BATCH = 2000


@dataclass
class Counts:
    rows: int = 0
    resealed: int = 0
    rehashed: int = 0


def encrypted_models() -> Iterator[tuple[type[models.Model], list[EncryptedTextField]]]:
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def _renew(
    ring: Keyring, field: EncryptedTextField, token: str, digest: str, counts: Counts
) -> tuple[str, str]:
    """The (ciphertext, hash) pair under the newest keys; raises DataKeyError for a key no longer held."""
    if not token or (ring.is_current(token) and ring.lookup_is_current(digest) and digest):
        return token, digest
    clear = ring.decrypt(token, field.purpose)
    if not ring.is_current(token):
        token = ring.encrypt(clear, field.purpose)
        counts.resealed += 1
    fresh = ring.lookup(clear, field.purpose)
    if fresh != digest:
        digest = fresh
        counts.rehashed += 1
    return token, digest


def _rotate_batch(
    model: type[models.Model], fields: list[EncryptedTextField], after: Any, size: int, counts: Counts
) -> Any:
    """One transaction: lock the next `size` rows after pk `after`, renew their values; returns the last pk."""
    ring, quote = keyring(), connection.ops.quote_name
    pk, table = quote(str(model._meta.pk.column)), quote(model._meta.db_table)
    pairs = [(f, f.hash) for f in fields]
    columns = ", ".join(f"{quote(str(f.column))}, {quote(str(h.column))}" for f, h in pairs)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    where = f"WHERE {pk} > %s " if after is not None else ""
    sets = ", ".join(f"{quote(str(f.column))} = %s, {quote(str(h.column))} = %s" for f, h in pairs)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"SELECT {pk}, {columns} FROM {table} {where}ORDER BY {pk} LIMIT {size}{lock}",
            [after] if after is not None else [],
        )
        rows = cur.fetchall()
        updates = []
        for row in rows:
            old = list(row[1:])
            new: list[str] = []
            for i, (field, _) in enumerate(pairs):
                new += _renew(ring, field, old[2 * i] or "", old[2 * i + 1] or "", counts)
            if new != old:
                updates.append([*new, row[0]])
        if updates:
            cur.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", updates)
    counts.rows += len(rows)
    return rows[-1][0] if rows else None


def data_keys_rotate(
    *, actor: Any, batch_size: int = BATCH, progress: Callable[[Counts], None] | None = None
) -> KeyRotation:
    """Bring every encrypted value and lookup hash under the newest configured keys; audited when done.

    Precondition: the keys that sealed the stored values are still configured (after the newest one).
    """
    ring, counts = keyring(), Counts()
    for model, fields in encrypted_models():
        after = None
        while True:
            after = _rotate_batch(model, fields, after, batch_size, counts)
            if progress:
                progress(counts)
            if after is None:
                break
    with transaction.atomic():
        rotation = KeyRotation.objects.create(
            data_key_id=ring.data_id,
            lookup_key_id=ring.lookup_id,
            rows_checked=counts.rows,
            values_resealed=counts.resealed,
            hashes_recomputed=counts.rehashed,
            finished_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="core.data_keys_rotated",
            obj=rotation,
            after={
                "data_key": ring.data_id,
                "lookup_key": ring.lookup_id,
                "rows": counts.rows,
                "resealed": counts.resealed,
                "rehashed": counts.rehashed,
            },
        )
    return rotation
