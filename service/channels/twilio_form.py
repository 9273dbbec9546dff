"""A Twilio webhook's form: decoded as Twilio encodes it, every pair kept (Twilio signs them all), and
refused when it could be a captured one re-split (Twilio's signature has no separator between fields).

All of it runs before any signature is computed, so all of it is linear in the form and bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

# Twilio sends a few dozen fields (WhatsApp with ten media items about sixty): a form with far
# more is refused before it is decoded or any signature is computed.
MAX_FIELDS = 128
# The fields the line acts on; each must occur once (refuse_ambiguous).
READ_FIELDS = ("From", "To", "Body", "MessageSid", "SmsSid", "AccountSid", "NumMedia")
MAX_NAME_CHARS = 64


class FormError(ValueError):
    """The request is not a usable Twilio form; the message says what is wrong, never what it held."""


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


def parse_form(body: bytes) -> Form:
    """Decode a form-encoded body, keeping repeated keys (Twilio signs every value).

    The same pairs as urllib's parse_qsl(keep_blank_values=True), '&' separated. FormError
    before any decoding when it has more fields than Twilio sends.
    """
    if body.count(b"&") >= MAX_FIELDS:
        raise FormError(f"the form has more than {MAX_FIELDS} fields; Twilio sends a few dozen")
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


def refuse_ambiguous(form: Form) -> None:
    """FormError when a form could be a captured one re-split: Twilio signs names and values joined with
    no separator, so Body=STOPFrom+1555…2 verifies re-sent as Body=STOP, From=+1555…2 plus either a
    second From or a field named From+1555…1. A field the line reads may occur once, and a name is
    what Twilio's names are: letters, digits, underscores."""
    for name, value in form.pairs:
        # isidentifier() in C: ASCII letters, digits, underscores, not leading with a digit.
        if not (name.isascii() and name.isidentifier() and len(name) <= MAX_NAME_CHARS):
            raise FormError("a field name is not one Twilio sends")
        # A forged MessageSid must come out of the captured Body, so the captured one, which sorts
        # after it, lands inside a later field's value, with its name: Twilio's own values never hold it.
        if name != "Body" and ("MessageSid" in value or "SmsSid" in value):
            raise FormError("a field holds another field's name and value")
    if len(form) == len(form.pairs):
        return
    for name in READ_FIELDS:
        if len(form.getall(name)) > 1:
            raise FormError(f"the field {name} occurs more than once")
