"""A queued reply's number, sealed: the outbox must keep it until the gateway has the reply, and a column
never holds a caller's digits in the clear (a database dump or backup shows ciphertext only).

AES-GCM under a key derived from PHONE_HASH_KEY (replicas share it, so any replica's sender can open
what another queued); the number is cleared from the row as soon as the reply's fate is final.
"""

from __future__ import annotations

import base64
import functools
import os
from typing import Any

# A different purpose, a different key: the hash key's MACs and this key's ciphertexts never meet.
PURPOSE = b"infoline outbox recipient v1"
NONCE_BYTES = 12


class Sealer:
    """seal(number) -> text a column may hold; open(text) -> the number."""

    def __init__(self, hash_key: bytes) -> None:
        self._hash_key = hash_key

    @functools.cached_property
    def _aead(self) -> Any:
        # Loaded at the first reply queued: a line without a gateway that sends later never pays its 7 MiB.
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(self._hash_key))

    def seal(self, number: str) -> str:
        """The number encrypted and authenticated, as URL-safe base64."""
        nonce = os.urandom(NONCE_BYTES)
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, number.encode(), PURPOSE)).decode()

    def open(self, sealed: str) -> str:
        """The number; cryptography's InvalidTag if it was sealed under another key or altered."""
        raw = base64.urlsafe_b64decode(sealed.encode())
        return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PURPOSE).decode()
