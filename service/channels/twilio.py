"""Twilio Programmable Messaging: signature check, form -> InboundMessage, Reply -> TwiML."""

from __future__ import annotations

import base64
import functools
import hmac
import re
from typing import Iterable
from urllib.parse import unquote

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse

from service.core.types import InboundMessage, Reply
from service.macs import mac

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_SETTINGS_HEADER", "Form", "FormError", "parse_form", "signature_of", "is_signed", "decode", "twiml"]


MAX_ID_CHARS = 64
MAX_CHANNEL_CHARS = 16


class FormError(ValueError):
    """The request is not a usable Twilio form; the message says what is wrong, never what it held."""


class Form(dict):
    """A form's fields: each key's last value (as most frameworks read a repeated
    field), and every (key, value) pair as sent, since Twilio signs them all."""

    def __init__(self, pairs: Iterable[tuple[str, str]] | dict[str, str] = ()):
        if isinstance(pairs, Form):
            pairs = pairs.pairs
        pairs = list(pairs.items() if isinstance(pairs, dict) else pairs)
        super().__init__(pairs)
        self.pairs = pairs

    def getall(self, key: str) -> list[str]:
        # The name RequestValidator asks for first: without it, it tries two
        # other names and pays for an exception on each field.
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

    The same pairs as urllib's parse_qsl(keep_blank_values=True), '&' separated.
    """
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


# The algorithms Twilio names in its signature settings header.
DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}


def signature_of(*, token: bytes, url: str, pairs: list[tuple[str, str]], algorithm: str = HMAC_SHA1) -> str:
    """Twilio's signature of a form POST: the URL, then every distinct field's name and value
    sorted, HMAC'd with the Auth Token, in base64.

    The same string RequestValidator.compute_signature builds (a property test holds them
    equal), in one sort and one join: the library's loop was a tenth of the webhook's time.
    """
    digest = DIGESTS.get(algorithm.upper())
    if digest is None:
        raise ValueError("unsupported webhook signature algorithm")
    # A repeated field (rare) may repeat a value too, which Twilio signs once.
    distinct = pairs if len({key for key, _ in pairs}) == len(pairs) else set(pairs)
    data = url + "".join([key + value for key, value in sorted(distinct)])
    return base64.b64encode(mac(token, digest, data.encode("utf-8"))).decode("ascii")


def is_signed(
    *, validator: RequestValidator, url: str, form: Form, signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """Whether the signature is Twilio's for this URL and form."""
    if not signature:
        return False
    algorithm = get_signature_algorithm(settings_header)
    try:
        expected = signature_of(token=validator.token, url=url, pairs=form.pairs, algorithm=algorithm)
    except ValueError:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII text, and a forged header may hold any.
    # validate() also tries the URL with and without its port, since Twilio signs whichever form it called.
    if hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass")):
        return True
    try:
        return validator.validate(url, form, signature, algorithm)
    except ValueError:  # a Host header that is no host ("h:abc"): its port does not parse
        return False


def channel_of(sender: str) -> str:
    """sms, or the channel a prefixed address names (whatsapp:+1555… -> whatsapp)."""
    return sender.split(":", 1)[0].lower() if ":" in sender else "sms"


def decode(form: Form) -> InboundMessage:
    """The message a signed Twilio form carries."""
    message_id = form.value("MessageSid") or form.value("SmsSid")
    sender = form.value("From").strip()
    if not message_id:
        raise FormError("MessageSid is missing")
    if not sender:
        raise FormError("From is missing")
    # Twilio's ids are 34 characters and its channel prefixes short words; the
    # store holds at most these, so longer ones are refused before anything is kept.
    if len(message_id) > MAX_ID_CHARS or len(channel_of(sender)) > MAX_CHANNEL_CHARS:
        raise FormError("MessageSid or the From channel is longer than Twilio sends")
    return InboundMessage(
        message_id=message_id,
        sender=sender,
        recipient=form.value("To").strip(),
        body=form.value("Body"),
        channel=channel_of(sender),
    )


@functools.lru_cache(maxsize=4096)
def _twiml_for(body: str | None) -> bytes:
    response = MessagingResponse()
    if body is not None:
        response.message(body)
    return response.to_xml().encode("utf-8")


def twiml(reply: Reply | None) -> bytes:
    """TwiML for a reply (UTF-8); an empty <Response/> when there is nothing to send."""
    return _twiml_for(reply.body if reply else None)
