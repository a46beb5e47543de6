"""Sealing and keyed hashing of personal numbers (issue 3 §2): pure Keyring behaviour, no database."""

from __future__ import annotations

import pytest

from gongzhi.core.crypto import DataKeyError, Keyring, key_id, new_key, parse_keys

OLD, NEW, LOOKUP, LOOKUP2 = (bytes([n]) * 32 for n in range(4))
A_KEY = "A" * 43  # URL-safe base64 of 32 zero bytes
ID = "330502197005010113"


def test_round_trip_hides_the_value_and_names_the_key():
    ring = Keyring([NEW], [LOOKUP])
    token = ring.encrypt(ID, "people.person.id_number")
    assert ID not in token and token.startswith(key_id(NEW) + ":")
    assert ring.decrypt(token, "people.person.id_number") == ID


def test_same_value_seals_differently_each_time():
    ring = Keyring([NEW], [LOOKUP])
    assert ring.encrypt(ID, "c") != ring.encrypt(ID, "c")


def test_empty_stays_empty():
    ring = Keyring([NEW], [LOOKUP])
    assert (ring.encrypt("", "c"), ring.decrypt("", "c"), ring.lookup("", "c")) == ("", "", "")


def test_value_moved_to_another_column_does_not_open():
    ring = Keyring([NEW], [LOOKUP])
    with pytest.raises(DataKeyError, match="altered or moved"):
        ring.decrypt(ring.encrypt(ID, "people.person.id_number"), "people.person.phone")


def test_old_key_still_opens_during_rotation_and_new_values_use_the_newest():
    old_token = Keyring([OLD], [LOOKUP]).encrypt(ID, "c")
    rotating = Keyring([NEW, OLD], [LOOKUP])
    assert rotating.decrypt(old_token, "c") == ID
    assert not rotating.is_current(old_token)
    assert rotating.is_current(rotating.encrypt(ID, "c"))


def test_value_under_a_key_no_longer_held_fails_clearly():
    old_token = Keyring([OLD], [LOOKUP]).encrypt(ID, "c")
    with pytest.raises(DataKeyError, match=f"sealed with key '{key_id(OLD)}'.*does not hold"):
        Keyring([NEW], [LOOKUP]).decrypt(old_token, "c")


def test_lookup_is_keyed_deterministic_and_per_column():
    ring = Keyring([NEW], [LOOKUP])
    assert ring.lookup(ID, "a") == ring.lookup(ID, "a")
    assert ring.lookup(ID, "a") != ring.lookup(ID, "b")
    assert ring.lookup(ID, "a") != Keyring([NEW], [LOOKUP2]).lookup(ID, "a")
    assert ID not in ring.lookup(ID, "a")


def test_lookups_cover_every_lookup_key_newest_first():
    both = Keyring([NEW], [LOOKUP2, LOOKUP])
    assert both.lookups(ID, "a") == [both.lookup(ID, "a"), Keyring([NEW], [LOOKUP]).lookup(ID, "a")]


def test_generated_key_parses():
    assert len(parse_keys("K", new_key())[0]) == 32


@pytest.mark.parametrize(
    "raw, message",
    [("abc", "key 1 is not URL-safe base64 of 32 bytes"), (f"{A_KEY},%%%", "key 2 is not")],
)
def test_malformed_keys_are_refused(raw, message):
    with pytest.raises(DataKeyError, match=message):
        parse_keys("GONGZHI_DATA_KEYS", raw)


def test_empty_or_repeated_key_lists_are_refused():
    with pytest.raises(DataKeyError, match="holds no key"):
        Keyring([], [LOOKUP])
    with pytest.raises(DataKeyError, match="same key twice"):
        Keyring([NEW, NEW], [LOOKUP])


def test_lookup_hash_is_hmac_sha256_of_column_and_value():
    import base64
    import hashlib
    import hmac

    expected = hmac.new(LOOKUP, b"a\0" + ID.encode(), hashlib.sha256).digest()[:16]
    assert (
        Keyring([NEW], [LOOKUP]).lookup(ID, "a") == f"{key_id(LOOKUP)}:{base64.b64encode(expected).decode()}"
    )


def test_batch_sealing_and_hashing_agree_with_the_keyring():
    ring = Keyring([NEW], [LOOKUP])
    values = [ID, "", "13800000000", ID]
    sealed = ring.seal_many(values, "c")
    assert [ring.decrypt(token, "c") for token in sealed] == values
    assert sealed[1] == "" and sealed[0] != sealed[3]  # a fresh nonce for each value, even a repeated one
    assert len({token.split(":")[1][:16] for token in sealed if token}) == 3  # distinct nonces
    assert ring.lookup_many(values, "c") == [ring.lookup(v, "c") for v in values]


def test_bulk_sealer_and_hasher_agree_with_the_keyring():
    ring = Keyring([NEW], [LOOKUP])
    assert ring.decrypt(ring.sealer("c")(ID), "c") == ID
    assert ring.hasher("c")(ID) == ring.lookup(ID, "c")
    assert (ring.sealer("c")(""), ring.hasher("c")("")) == ("", "")
