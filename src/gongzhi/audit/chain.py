"""The audit trail's hash chain (pure Python): each entry's hash covers its content and the previous hash.

Changing, inserting or deleting an entry breaks the chain at that point, which `verify` reports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


# One encoder for every entry: json.dumps() with these options builds a new encoder on each call, which
# costs as much as the encoding itself when `gongzhi audit verify` walks millions of entries.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical(fields: tuple[Any, ...]) -> bytes:
    return _ENCODER.encode(fields).encode()


def entry_hash(prev_hash: str, fields: tuple[Any, ...]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(fields)).hexdigest()


def canonical_after_seq(fields: tuple[Any, ...]) -> str:
    """canonical(fields) without its opening "[seq,": the part a writer that learns seq only from the database
    (audit.services on PostgreSQL) hands over, so that "[" + str(seq) + "," + this is canonical(fields) for any
    integer seq (the fields start with seq, and the separators are compact)."""
    return _ENCODER.encode(fields[1:])[1:]


@dataclass(frozen=True)
class Break:
    """Where the chain is broken: `seq` of the first bad entry and why (changed / inserted / deleted)."""

    seq: int | None
    entry_id: int | None
    problem: str


def verify(
    rows: Iterable[tuple[int | None, int, str, str, tuple[Any, ...]]], *, head: tuple[int, str] | None = None
) -> tuple[int, Break | None]:
    """Walk (seq, id, prev_hash, hash, fields) rows in seq order; return (entries checked, first break).

    `head` is the (seq, hash) the chain head records; it catches entries deleted from the end.
    """
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for seq, entry_id, prev_hash, stored_hash, fields in rows:
        if seq is None:
            return count, Break(None, entry_id, "unchained")
        if seq != expected_seq:
            return count, Break(seq, entry_id, "deleted")
        if entry_hash(prev_hash, fields) != stored_hash:
            return count, Break(seq, entry_id, "changed")
        if prev_hash != expected_prev:
            return count, Break(seq, entry_id, "inserted")
        expected_prev, expected_seq, count = stored_hash, seq + 1, count + 1
    if head is not None and (head[0] != count or (count and head[1] != expected_prev)):
        return count, Break(count + 1, None, "deleted")
    return count, None
