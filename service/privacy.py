"""Phone numbers at rest: only as keyed hashes, under a key that never sits in the database."""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

import phonenumbers

from service.macs import mac
from service.programs import bare_number

log = logging.getLogger("service.privacy")

KEY_FILE = "phone-hash.key"
GENERATED_KEY_WARNING = (
    "PHONE_HASH_KEY is not set: generated one in %s. Phone numbers are few enough to try them all, "
    "so whoever has both the key and the database can tell who texted: keep a copy of the key apart "
    "from database backups, and set PHONE_HASH_KEY (the same on every replica) from a secret store."
)
MIN_KEY_CHARS = 32
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def load_hash_key(*, configured: str | None, data_dir: Path) -> bytes:
    """The configured key, else the one kept in data_dir, else a new one written there."""
    if configured:
        if len(configured) < MIN_KEY_CHARS:
            raise ValueError(f"PHONE_HASH_KEY must be at least {MIN_KEY_CHARS} characters (e.g. openssl rand -hex 32)")
        return configured.encode("utf-8")
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written whole to a private file, then linked into place: workers
        # starting together all end up reading the one key that won.
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
            log.warning(GENERATED_KEY_WARNING, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text("utf-8").strip().encode("utf-8")


def canonical_sender(sender: str) -> str:
    """E.164 for phone numbers on any channel (sms or whatsapp:), the bare id otherwise."""
    bare = bare_number(sender).strip()
    if E164.match(bare):
        return bare  # what Twilio sends: already canonical, no parsing needed
    try:
        return phonenumbers.format_number(phonenumbers.parse(bare, None), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return bare


def sender_key(sender: str, key: bytes, *, namespace: str = "") -> str:
    """HMAC-SHA256 of the canonical sender: the only form a number is stored in.

    The admin's simulator uses its own namespace, so simulating STOP with a
    real patient's number never opts her out.
    """
    return mac(key, "sha256", (namespace + canonical_sender(sender)).encode("utf-8")).hex()


class SenderHasher:
    """The keyed hash senders are stored under, handed to what stores them (the key never leaves it)."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes):
        self._key = key

    def key(self, sender: str, *, simulated: bool = False) -> str:
        """The sender's stored key; the admin's simulator has a namespace of its own."""
        return sender_key(sender, self._key, namespace="simulated:" if simulated else "")
