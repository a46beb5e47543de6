"""Reads over the audit trail, and the chain check behind `gongzhi audit verify`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gongzhi.audit import chain
from gongzhi.audit.models import CHAIN_COLUMNS, AuditEntry, AuditHead, chain_fields


def _chain_rows(batch: int = 5000) -> Iterator[tuple[int | None, int, str, str, tuple[Any, ...]]]:
    unchained = AuditEntry.objects.filter(seq__isnull=True).values_list("id", flat=True).first()
    if unchained is not None:
        yield None, unchained, "", "", ()
        return
    columns = ["id", "prev_hash", "entry_hash", *CHAIN_COLUMNS]
    rows = AuditEntry.objects.order_by("seq").values_list(*columns).iterator(chunk_size=batch)
    for entry_id, prev_hash, entry_hash, *values in rows:
        yield values[0], entry_id, prev_hash, entry_hash, chain_fields(*values)


def audit_verify() -> tuple[int, chain.Break | None]:
    """Check the whole chain against the head; (entries verified, first break or None)."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "entry_hash").first()
    return chain.verify(_chain_rows(), head=head or (0, chain.GENESIS))
