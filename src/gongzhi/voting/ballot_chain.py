"""The ballot log of one vote, hash-chained, with a receipt code per accepted ballot (issue 5 §2). Pure Python.

Each entry's hash covers the vote, its position, receipt, choice, dwelling (blank in a secret vote) and the hash
before it, so changing, inserting, deleting or reordering an entry breaks every hash after it. When the vote
closes, `publication` gives the chain head and the receipts with their choices (and dwellings in an open vote):
a voter finds their receipt and checks their choice, and anyone can recompute the head and recount.

A secret vote stores the choice unlinkable to the dwelling: entries carry no dwelling, and the published list
is in receipt order (random), not casting order, which could be matched with the times dwellings were marked as
having voted. Its published head is therefore the chain over that order; the casting-order chain stays internal.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread
CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
RECEIPT_BITS = 80  # 16 characters; guessing another voter's receipt is hopeless


@dataclass(frozen=True)
class Entry:
    seq: int  # 1, 2, 3 … in the order the entries were chained
    receipt: str
    choice: str
    dwelling: str  # "" in a secret vote
    prev: str
    hash: str


def new_receipt(nonce: bytes | None = None) -> str:
    """A receipt code such as 7KQ2-M9XD-4FWB-TN3C from 80 random bits (`nonce`: 10 bytes, for tests)."""
    raw = nonce if nonce is not None else secrets.token_bytes(RECEIPT_BITS // 8)
    if len(raw) * 8 != RECEIPT_BITS:
        raise ValueError("a receipt is made from 10 bytes")
    number = int.from_bytes(raw, "big")
    chars = "".join(ALPHABET[(number >> shift) & 31] for shift in range(RECEIPT_BITS - 5, -1, -5))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def receipt_normalise(text: str) -> str | None:
    """A receipt as typed (lower case, without dashes, O for 0) in its printed form, or None if it is not one."""
    chars = "".join(text.split()).replace("-", "").upper().translate(CONFUSABLE)
    if len(chars) != 16 or any(c not in ALPHABET for c in chars):
        return None
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def entry_hash(*, vote: str, seq: int, receipt: str, choice: str, dwelling: str, prev: str) -> str:
    """SHA-256 over canonical JSON, so anyone can recompute it with any language's JSON and SHA-256."""
    body = {
        "choice": choice,
        "dwelling": dwelling,
        "prev": prev,
        "receipt": receipt,
        "seq": seq,
        "vote": vote,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_append(
    entries: Sequence[Entry], *, vote: str, receipt: str, choice: str, dwelling: str = ""
) -> Entry:
    """The entry that follows `entries` (the caller stores it, in the same transaction as the ballot)."""
    prev = entries[-1].hash if entries else GENESIS
    seq = len(entries) + 1
    digest = entry_hash(vote=vote, seq=seq, receipt=receipt, choice=choice, dwelling=dwelling, prev=prev)
    return Entry(seq, receipt, choice, dwelling, prev, digest)


def chain_build(vote: str, ballots: Sequence[tuple[str, str, str]]) -> list[Entry]:
    """Chain (receipt, choice, dwelling) triples in the given order."""
    entries: list[Entry] = []
    for receipt, choice, dwelling in ballots:
        entries.append(chain_append(entries, vote=vote, receipt=receipt, choice=choice, dwelling=dwelling))
    return entries


def chain_verify(entries: Sequence[Entry], *, vote: str) -> int | None:
    """The position (1-based) of the first entry that was changed, inserted, deleted or moved, or a receipt
    used twice; None when the whole chain holds."""
    prev, seen = GENESIS, set[str]()
    for position, entry in enumerate(entries, start=1):
        expected = entry_hash(
            vote=vote,
            seq=position,
            receipt=entry.receipt,
            choice=entry.choice,
            dwelling=entry.dwelling,
            prev=prev,
        )
        if entry.seq != position or entry.prev != prev or entry.hash != expected or entry.receipt in seen:
            return position
        prev = entry.hash
        seen.add(entry.receipt)
    return None


def chain_head(entries: Sequence[Entry]) -> str:
    return entries[-1].hash if entries else GENESIS


def publication(entries: Sequence[Entry], *, vote: str, secret: bool) -> dict[str, Any]:
    """What a closed vote publishes: head, count and receipts with choices (dwellings only in an open vote)."""
    if secret:
        ordered = sorted(entries, key=lambda e: e.receipt)
        entries = chain_build(vote, [(e.receipt, e.choice, "") for e in ordered])
    rows = [
        {"receipt": e.receipt, "choice": e.choice} | ({} if secret else {"dwelling": e.dwelling})
        for e in entries
    ]
    return {"vote": vote, "secret": secret, "head": chain_head(entries), "count": len(rows), "receipts": rows}


def publication_verify(published: dict[str, Any]) -> bool:
    """Recompute the head from the published rows (as anyone can) and compare; a secret list must also be in
    receipt order and carry no dwelling."""
    rows = published["receipts"]
    secret = published["secret"]
    if secret and (
        any("dwelling" in r for r in rows)
        or [r["receipt"] for r in rows] != sorted(r["receipt"] for r in rows)
    ):
        return False
    entries = chain_build(
        published["vote"], [(r["receipt"], r["choice"], r.get("dwelling", "")) for r in rows]
    )
    return published["count"] == len(rows) and chain_head(entries) == published["head"]


def receipt_find(published: dict[str, Any], code: str) -> dict[str, Any] | None:
    """The published row for a receipt as the voter typed it, or None (not counted, or mistyped)."""
    receipt = receipt_normalise(code)
    return next((r for r in published["receipts"] if r["receipt"] == receipt), None) if receipt else None
