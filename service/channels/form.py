"""A provider's form (application/x-www-form-urlencoded): decoded as providers encode it, every pair kept,
bounded before it is decoded. Twilio's (twilio_form) and Africa's Talking's (africastalking) read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

# The one content type every provider's callback carries.
FORM_TYPE = "application/x-www-form-urlencoded"


class FormError(ValueError):
    """The request is not a usable form; the message says what is wrong, never what it held."""


class Form(dict[str, str]):
    """A form's fields: each key's last value (as most frameworks read a repeated
    field), and every (key, value) pair as sent, since Twilio signs them all."""

    pairs: list[tuple[str, str]]

    def __init__(self, pairs: Iterable[tuple[str, str]] | dict[str, str] = ()) -> None:
        if isinstance(pairs, Form):
            pairs = pairs.pairs
        every: list[tuple[str, str]] = list(pairs.items() if isinstance(pairs, dict) else pairs)
        super().__init__(every)
        self.pairs = every

    def getall(self, key: str) -> list[str]:
        """Every value sent for a field (the name RequestValidator also asks a form for)."""
        return [value for name, value in self.pairs if name == key]

    def value(self, key: str, default: str = "") -> str:
        """The field's last value."""
        return self.get(key, default)


# Decoded, these would split a value in two: a body holding one is decoded field by field.
_ENCODED_SEPARATORS = re.compile("%(26|3[dD])")


def _unquoted(text: str) -> str:
    return unquote(text.replace("+", " "), encoding="utf-8", errors="strict")


def _fields(text: str) -> list[tuple[str, str, str]]:
    return [field.partition("=") for field in text.split("&") if field]


def decode_form(body: bytes, *, max_fields: int, too_many: str) -> Form:
    """Decode a form-encoded body, keeping repeated keys (Twilio signs every value).

    The same pairs as urllib's parse_qsl(keep_blank_values=True), '&' separated. FormError(too_many)
    before any decoding when it has more than max_fields fields.
    """
    if body.count(b"&") >= max_fields:
        raise FormError(too_many)
    try:
        text = body.decode("utf-8")
        if "%" in text and _ENCODED_SEPARATORS.search(text):
            pairs = [(_unquoted(key), _unquoted(value)) for key, _, value in _fields(text)]
        else:
            # Unquoting the whole body once, then splitting, gives the same pairs
            # when no separator is encoded: per field it was a third of the webhook's parse.
            if "%" in text or "+" in text:
                text = _unquoted(text)
            pairs = [(key, value) for key, _, value in _fields(text)]
    except (UnicodeDecodeError, ValueError) as error:
        raise FormError("the form is not valid UTF-8 form encoding") from error
    return Form(pairs)


def refuse_repeated(form: Form, names: Iterable[str]) -> None:
    """FormError naming the first of the fields a line reads that the form holds more than once (which
    one counts is every framework's guess)."""
    if len(form) == len(form.pairs):
        return
    for name in names:
        if len(form.getall(name)) > 1:
            raise FormError(f"the field {name} occurs more than once")
