"""A queued reply's number is sealed: no digits in the column, opened only under the same key."""

import base64

import pytest
from cryptography.exceptions import InvalidTag

from service.sealed import Sealer

KEY = b"k" * 32


def test_a_sealed_number_holds_no_digits_of_it_and_opens_to_it():
    sealed = Sealer(KEY).seal("+254711000111")
    assert "254711000111" not in sealed and "000111" not in sealed
    assert Sealer(KEY).open(sealed) == "+254711000111"


def test_the_same_number_seals_differently_each_time():
    assert Sealer(KEY).seal("+254711000111") != Sealer(KEY).seal("+254711000111")


def flip_last_byte(sealed: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(sealed))
    raw[-1] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("opener", "tamper"), [(Sealer(b"x" * 32), lambda sealed: sealed), (Sealer(KEY), flip_last_byte)],
    ids=["another key", "altered"],
)  # fmt: skip
def test_another_key_or_an_altered_seal_does_not_open(opener, tamper):
    with pytest.raises(InvalidTag):
        opener.open(tamper(Sealer(KEY).seal("+254711000111")))
