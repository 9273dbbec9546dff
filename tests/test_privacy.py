"""Sender keys: the only form a number is stored in; changing how they are made would orphan every stored state."""

import hashlib
import hmac

import pytest

from service.privacy import sender_key

KEY = b"k" * 40


@pytest.mark.parametrize(
    ("sender", "canonical"),
    [
        ("+15551230001", "+15551230001"),
        ("whatsapp:+15551230001", "+15551230001"),  # the same woman on another channel
        ("+1 (555) 123-0001", "+15551230001"),
    ],
)
def test_a_sender_key_is_the_hmac_sha256_of_her_e164_number(sender, canonical):
    assert sender_key(sender, KEY) == hmac.new(KEY, canonical.encode(), hashlib.sha256).hexdigest()


def test_keys_differ_by_hash_key_and_namespace():
    assert sender_key("+15551230001", KEY) != sender_key("+15551230001", b"x" * 40)
    assert sender_key("+15551230001", KEY) != sender_key("+15551230001", KEY, namespace="simulated:")
