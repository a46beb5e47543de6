"""voting.ballot_chain: receipts and the hash-chained ballot log a closed vote publishes (issue 5 §2)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.voting.ballot_chain import (
    GENESIS,
    chain_append,
    chain_build,
    chain_head,
    chain_verify,
    new_receipt,
    publication,
    publication_verify,
    receipt_find,
    receipt_normalise,
)

VOTE = "vote-42"


def receipts(n: int) -> list[str]:
    return [new_receipt(i.to_bytes(10, "big")) for i in range(1, n + 1)]


def log(n: int = 5) -> list:
    choices = ["yes", "no", "abstain"]
    return chain_build(VOTE, [(r, choices[i % 3], f"1-1-{101 + i}") for i, r in enumerate(receipts(n))])


def test_receipt_codes_are_16_unambiguous_characters():
    code = new_receipt(bytes(range(10)))
    assert code == new_receipt(bytes(range(10))) and len(code) == 19 and code.count("-") == 3
    assert not set(code.replace("-", "")) & set("ILOU")
    assert new_receipt() != new_receipt()
    with pytest.raises(ValueError):
        new_receipt(b"short")


def test_receipt_as_typed_is_normalised():
    code = new_receipt(b"\x00" * 9 + b"\x01")  # 0000-0000-0000-0001
    assert code == "0000-0000-0000-0001"
    assert receipt_normalise("oooo oooo-OOOO  oool") == code
    assert receipt_normalise("0000000000000001") == code
    assert receipt_normalise("0000-0000-0000-000U") is None
    assert receipt_normalise("0000-0000-0000") is None


def test_entry_hash_is_plain_sha256_of_canonical_json():
    first = chain_append([], vote=VOTE, receipt="AAAA-BBBB-CCCC-DDDD", choice="yes", dwelling="1-2-301")
    body = (
        '{"choice":"yes","dwelling":"1-2-301","prev":"'
        + GENESIS
        + '","receipt":"AAAA-BBBB-CCCC-DDDD","seq":1,"vote":"vote-42"}'
    )
    assert (
        first.hash == hashlib.sha256(body.encode()).hexdigest() and first.prev == GENESIS and first.seq == 1
    )


def test_an_intact_chain_verifies():
    entries = log(6)
    assert chain_verify(entries, vote=VOTE) is None
    assert chain_verify([], vote=VOTE) is None
    assert chain_head(entries) == entries[-1].hash and chain_head([]) == GENESIS


@pytest.mark.parametrize(
    ("tamper", "broken"),
    [
        (lambda e: [*e[:2], replace(e[2], choice="yes" if e[2].choice != "yes" else "no"), *e[3:]], 3),
        (lambda e: [*e[:2], *e[3:]], 3),  # deleted
        (lambda e: [e[1], e[0], *e[2:]], 1),  # reordered
        (lambda e: [*e[:3], e[3], *e[3:]], 5),  # duplicated
        (lambda e: [*e[:4], replace(e[4], dwelling="9-9-999")], 5),
        (
            lambda e: [
                replace(x, hash=x.hash) if i else replace(x, receipt=e[1].receipt) for i, x in enumerate(e)
            ],
            1,
        ),
    ],
)
def test_tampering_is_found_at_the_first_broken_entry(tamper, broken):
    assert chain_verify(tamper(log(5)), vote=VOTE) == broken


def test_a_chain_recomputed_after_tampering_still_differs_at_the_head():
    entries = log(5)
    forged = chain_build(VOTE, [(e.receipt, "yes", e.dwelling) for e in entries])
    assert chain_verify(forged, vote=VOTE) is None and chain_head(forged) != chain_head(entries)


def test_a_receipt_used_twice_breaks_the_chain():
    entries = log(2)
    again = chain_append(entries, vote=VOTE, receipt=entries[0].receipt, choice="no", dwelling="1-1-999")
    assert chain_verify([*entries, again], vote=VOTE) == 3


def test_the_chain_belongs_to_its_vote():
    assert chain_verify(log(3), vote="another-vote") == 1


def test_open_vote_publication_lists_dwellings_in_casting_order():
    entries = log(4)
    published = publication(entries, vote=VOTE, secret=False)
    assert published["head"] == chain_head(entries) and published["count"] == 4
    assert published["receipts"][0] == {"receipt": entries[0].receipt, "choice": "yes", "dwelling": "1-1-101"}
    assert publication_verify(published)
    row = receipt_find(published, entries[2].receipt.lower().replace("-", ""))
    assert row == {"receipt": entries[2].receipt, "choice": "abstain", "dwelling": "1-1-103"}
    assert (
        receipt_find(published, new_receipt(b"\xff" * 10)) is None
        and receipt_find(published, "nonsense") is None
    )


def test_secret_vote_publication_is_unlinkable_but_checkable():
    entries = chain_build(VOTE, [(r, "yes", "") for r in reversed(receipts(5))])
    published = publication(entries, vote=VOTE, secret=True)
    rows = published["receipts"]
    assert all(set(r) == {"receipt", "choice"} for r in rows)
    assert [r["receipt"] for r in rows] == sorted(r["receipt"] for r in rows)  # not the casting order
    assert publication_verify(published)
    assert json.dumps(published).count("1-1-") == 0


@pytest.mark.parametrize("secret", [False, True])
def test_a_changed_published_choice_or_count_fails_verification(secret):
    published = publication(log(4), vote=VOTE, secret=secret)
    changed = json.loads(json.dumps(published))
    changed["receipts"][1]["choice"] = "no" if changed["receipts"][1]["choice"] != "no" else "yes"
    assert not publication_verify(changed)
    dropped = json.loads(json.dumps(published))
    dropped["receipts"].pop()
    assert not publication_verify(dropped)


def test_a_secret_list_with_dwellings_or_out_of_order_fails_verification():
    published = publication(log(3), vote=VOTE, secret=True)
    with_dwelling = json.loads(json.dumps(published))
    with_dwelling["receipts"][0]["dwelling"] = "1-1-101"
    assert not publication_verify(with_dwelling)
    shuffled = json.loads(json.dumps(published))
    shuffled["receipts"].reverse()
    assert not publication_verify(shuffled)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["yes", "no", "abstain"]), min_size=1, max_size=12),
    st.data(),
)
def test_any_single_change_is_detected(choices, data):
    entries = chain_build(
        VOTE, [(r, c, f"d{i}") for i, (r, c) in enumerate(zip(receipts(len(choices)), choices, strict=True))]
    )
    index = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(["choice", "dwelling", "receipt", "seq", "prev", "hash"]))
    original = getattr(entries[index], field)
    changed = original + 1 if isinstance(original, int) else original + "x"
    tampered = [*entries[:index], replace(entries[index], **{field: changed}), *entries[index + 1 :]]
    assert chain_verify(tampered, vote=VOTE) == index + 1
