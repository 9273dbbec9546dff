"""Twilio Programmable Messaging: signature check, form -> InboundMessage, Reply -> TwiML."""

from __future__ import annotations

import functools
import hmac
from urllib.parse import unquote

from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse

from service.core.types import InboundMessage, Reply

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_SETTINGS_HEADER", "Form", "FormError", "parse_form", "is_signed", "decode", "twiml"]


MAX_ID_CHARS = 64
MAX_CHANNEL_CHARS = 16


class FormError(ValueError):
    """The request is not a usable Twilio form; the message says what is wrong, never what it held."""


class Form(dict):
    """A form's fields, each with every value it was sent with (Twilio signs them all)."""

    def getall(self, key: str) -> list[str]:
        # The name RequestValidator asks for first: without it, it tries two
        # other names and pays for an exception on each field.
        return self[key]

    def value(self, key: str, default: str = "") -> str:
        """The field's last value, as most frameworks read a repeated field."""
        values = self.get(key)
        return values[-1] if values else default


def _unquoted(text: str) -> str:
    # Most of Twilio's fields need no decoding (SIDs, digits, ISO codes):
    # skipping unquote for them halved the parse in the webhook's profile.
    if "%" in text or "+" in text:
        return unquote(text.replace("+", " "), encoding="utf-8", errors="strict")
    return text


def parse_form(body: bytes) -> Form:
    """Decode a form-encoded body, keeping repeated keys (Twilio signs every value).

    The same pairs as urllib's parse_qsl(keep_blank_values=True), '&' separated.
    """
    form = Form()
    try:
        for field in body.decode("utf-8").split("&"):
            if field:
                key, _, value = field.partition("=")
                form.setdefault(_unquoted(key), []).append(_unquoted(value))
    except (UnicodeDecodeError, ValueError) as error:
        raise FormError("the form is not valid UTF-8 form encoding") from error
    return form


def is_signed(
    *, validator: RequestValidator, url: str, form: Form, signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """Whether the signature is Twilio's for this URL and form."""
    if not signature:
        return False
    algorithm = get_signature_algorithm(settings_header)
    try:
        # One HMAC for the usual case; validate() also tries the URL with and
        # without its port, since Twilio signs whichever form it called.
        expected = validator.compute_signature(url, form, algorithm)
    except ValueError:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII text, and a forged header may hold any.
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass")) or validator.validate(
        url, form, signature, algorithm
    )


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
def _twiml_for(body: str | None) -> str:
    response = MessagingResponse()
    if body is not None:
        response.message(body)
    return response.to_xml()


def twiml(reply: Reply | None) -> str:
    """TwiML for a reply; an empty <Response/> when there is nothing to send."""
    return _twiml_for(reply.body if reply else None)
