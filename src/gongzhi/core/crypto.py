"""Encryption at rest for personal numbers (ID numbers, phones) and their keyed lookup hashes (issue 3 §2).

Pure Python plus the `cryptography` package; no Django import, so settings.py can parse keys at start-up.

- Values are sealed with AES-256-GCM (authenticated), a random 96-bit nonce per value and the column's name as
  associated data, so a ciphertext copied into another column does not decrypt. Stored as
  ``<key id>:<base64(nonce + ciphertext + tag)>``: an 18-character ID number becomes 71 characters.
  Fernet (AES-CBC + HMAC, timestamp, 1.9x the size) costs about 20 µs per value against about 2 µs here,
  which matters for the million-row demo and the roster import; MultiFernet's rotation is reproduced by the
  key id prefix and a key list (newest first).
- Lookups and uniqueness use HMAC-SHA256 under a separate lookup key, truncated to 128 bits (collisions are
  out of reach for any population) and also prefixed with the key id, so a lookup-key rotation can proceed
  row by row while queries try every configured key.
- Key ids are the first 6 hex digits of a SHA-256 of the key: derived, so an operator cannot mislabel a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
HASH_BYTES = 16


class DataKeyError(Exception):
    """A key is missing, malformed or cannot open a stored value; the message says which and what to do."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"gongzhi key id\0" + key).hexdigest()[:6]


def new_key() -> str:
    """A fresh key in the form the environment variables take (URL-safe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def dev_key(seed: str, purpose: str) -> bytes:
    """A key derived from SECRET_KEY for development and tests only (settings refuse this in production)."""
    return hashlib.sha256(f"gongzhi development {purpose} key\0{seed}".encode()).digest()


def parse_keys(variable: str, raw: str) -> list[bytes]:
    """Comma-separated URL-safe base64 keys of 32 bytes, newest first."""
    keys: list[bytes] = []
    for number, part in enumerate((p.strip() for p in raw.split(",")), start=1):
        if not part:
            continue
        try:
            key = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise DataKeyError(
                f"{variable}: key {number} is not URL-safe base64 of {KEY_BYTES} bytes "
                "(make one with `gongzhi rotate-key --new-key`)."
            )
        keys.append(key)
    return keys


def _by_id(variable: str, keys: Sequence[bytes]) -> dict[str, bytes]:
    if not keys:
        raise DataKeyError(f"{variable} holds no key.")
    out = {key_id(k): k for k in keys}
    if len(out) != len(keys):
        raise DataKeyError(f"{variable} lists the same key twice.")
    return out


class _HmacSha256:
    """HMAC-SHA256 (RFC 2104) from pre-keyed SHA-256 states: half the cost of hmac.HMAC.copy() per value,
    which the demo and the roster import pay twice per person. Tested equal to the hmac module."""

    def __init__(self, key: bytes):
        block = key.ljust(64, b"\0")  # keys are 32 bytes, under SHA-256's block size
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def with_prefix(self, prefix: bytes) -> Callable[[bytes], bytes]:
        """digest(prefix + message) with the prefix hashed once, for many messages under one column."""
        inner_start, outer_start = self._inner.copy(), self._outer
        inner_start.update(prefix)

        def digest(message: bytes) -> bytes:
            inner = inner_start.copy()
            inner.update(message)
            outer = outer_start.copy()
            outer.update(inner.digest())
            return outer.digest()

        return digest


class Keyring:
    """The configured data keys (seal/open) and lookup keys (hash), newest first."""

    def __init__(self, data_keys: Sequence[bytes], lookup_keys: Sequence[bytes]):
        self.ciphers = {kid: AESGCM(k) for kid, k in _by_id("GONGZHI_DATA_KEYS", data_keys).items()}
        self.data_id = key_id(data_keys[0])
        self._cipher = self.ciphers[self.data_id]
        self._prefix = self.data_id + ":"
        hashers = _by_id("GONGZHI_LOOKUP_KEYS", lookup_keys)
        self.lookup_id = key_id(lookup_keys[0])
        self._hashers = [(kid, _HmacSha256(k)) for kid, k in hashers.items()]
        self._hasher = self._hashers[0][1]

    def encrypt(self, value: str, column: str) -> str:
        """Seal `value` under the newest data key; the empty string stays empty (nothing to protect)."""
        if not value:
            return ""
        # A fresh random nonce per value, never a pooled or counted one: processes fork (demo) and threads
        # share this object, and a repeated GCM nonce would expose plaintexts.
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, value.encode(), column.encode())
        return self._prefix + binascii.b2a_base64(nonce + sealed, newline=False).decode()

    def decrypt(self, token: str, column: str) -> str:
        if not token:
            return ""
        kid, sep, body = token.partition(":")
        cipher = self.ciphers.get(kid) if sep else None
        if cipher is None:
            raise DataKeyError(
                f"A stored {column} value was sealed with key {kid[:6]!r}, which GONGZHI_DATA_KEYS does not hold "
                "(keep a retired key in the list until `gongzhi rotate-key` has finished)."
            )
        raw = binascii.a2b_base64(body)
        try:
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], column.encode()).decode()
        except InvalidTag as exc:
            raise DataKeyError(
                f"A stored {column} value does not open with key {kid}: altered or moved."
            ) from exc

    def sealer(self, column: str) -> Callable[[str], str]:
        """encrypt(value, column) as a function with everything per-column bound: for bulk writers."""
        encrypt, aad, prefix = self._cipher.encrypt, column.encode(), self._prefix
        urandom, b64 = os.urandom, binascii.b2a_base64

        def seal(value: str) -> str:
            if not value:
                return ""
            nonce = urandom(NONCE_BYTES)
            return prefix + b64(nonce + encrypt(nonce, value.encode(), aad), newline=False).decode()

        return seal

    def seal_many(self, values: Iterable[str], column: str) -> list[str]:
        """encrypt() of each value, for bulk writers (about half the cost of a sealer() call per value).

        The nonces come from one call to the random source for the whole batch instead of one system call
        per value. They are as random and as fresh: drawn here for this batch and never kept, so no process
        forked later nor any other call can reuse them.
        """
        values = list(values)
        encrypt, aad, prefix, b64 = self._cipher.encrypt, column.encode(), self._prefix, binascii.b2a_base64
        nonces = os.urandom(NONCE_BYTES * len(values))
        out: list[str] = []
        append = out.append
        for start, value in zip(range(0, len(nonces), NONCE_BYTES), values, strict=True):
            if value:
                nonce = nonces[start : start + NONCE_BYTES]
                append(prefix + b64(nonce + encrypt(nonce, value.encode(), aad), newline=False).decode())
            else:
                append("")
        return out

    def lookup_many(self, values: Iterable[str], column: str) -> list[str]:
        """lookup() of each value, for bulk writers."""
        lookup = self.hasher(column)
        return [lookup(value) for value in values]

    def hasher(self, column: str) -> Callable[[str], str]:
        """lookup(value, column) as a function with the column's prefix pre-hashed: for bulk writers."""
        digest = self._hasher.with_prefix(f"{column}\0".encode())
        prefix, b64 = self.lookup_id + ":", binascii.b2a_base64

        def lookup(value: str) -> str:
            return prefix + b64(digest(value.encode())[:HASH_BYTES], newline=False).decode() if value else ""

        return lookup

    def is_current(self, token: str) -> bool:
        return not token or token.startswith(self._prefix)

    def lookup(self, value: str, column: str) -> str:
        """The keyed hash of `value` under the newest lookup key (the empty string stays empty)."""
        if not value:
            return ""
        return self._hash(self.lookup_id, self._hasher, value, column)

    def lookups(self, value: str, column: str) -> list[str]:
        """The hash under every configured lookup key: matches rows not yet re-hashed during a rotation."""
        if not value:
            return [""]
        return [self._hash(kid, hasher, value, column) for kid, hasher in self._hashers]

    @staticmethod
    def _hash(kid: str, hasher: _HmacSha256, value: str, column: str) -> str:
        digest = hasher.digest(f"{column}\0{value}".encode())
        return kid + ":" + binascii.b2a_base64(digest[:HASH_BYTES], newline=False).decode()

    def lookup_is_current(self, digest: str) -> bool:
        return not digest or digest.startswith(self.lookup_id + ":")
