"""Twilio Programmable Messaging: signature check, form -> InboundMessage, Reply -> TwiML."""

from __future__ import annotations

import base64
import functools
import hmac
import re
from urllib.parse import urlparse

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)
from twilio.twiml.messaging_response import MessagingResponse

from service.channels.twilio_form import MAX_FIELDS, READ_FIELDS, Form, FormError, parse_form, refuse_ambiguous
from service.core.types import InboundMessage, Reply
from service.macs import mac

__all__ = [
    "MAX_FIELDS",
    "READ_FIELDS",
    "SIGNATURE_HEADER",
    "SIGNATURE_SETTINGS_HEADER",
    "Form",
    "FormError",
    "parse_form",
    "signature_of",
    "is_signed",
    "refuse_ambiguous",
    "decode",
    "twiml",
]


# Twilio address prefixes the line answers, and the channel each is recorded as. Anything else in
# From is refused: a channel is a label, and a label never holds a sender's digits.
CHANNELS = {"whatsapp": "whatsapp"}
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
ADDRESS = re.compile(r"(?:[a-z]+:)?\+[1-9][0-9]{1,14}")


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


@functools.lru_cache(maxsize=256)
def url_variants(url: str) -> tuple[str, ...]:
    """The URL as called, without its port, and with its scheme's default port: Twilio signs whichever
    form it called, and its validator tries all three. Its own add_port and remove_port make them; only
    its signature loop was quadratic in the form, so that part is signature_of's."""
    parsed = urlparse(url)
    try:
        return tuple(dict.fromkeys((url, remove_port(parsed), add_port(parsed))))
    except ValueError:  # a port that is no number: only the URL as called
        return (url,)


def is_signed(
    *,
    validator: RequestValidator,
    url: str,
    form: Form,
    signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """Whether the signature is Twilio's for this URL (with or without its port) and form.

    Linear in the form's size: an HMAC for the URL as called, and only when it does not match one for
    each port variant (at most three in all).
    """
    if not signature:
        return False
    algorithm = get_signature_algorithm(settings_header)
    # Bytes, not str: compare_digest refuses non-ASCII text, and a forged header may hold any.
    offered = signature.encode("utf-8", "surrogatepass")
    try:
        for variant in url_variants(url):
            expected = signature_of(token=validator.token, url=variant, pairs=form.pairs, algorithm=algorithm)
            if hmac.compare_digest(expected.encode(), offered):
                return True
    except ValueError:  # an algorithm Twilio does not use
        return False
    return False


def channel_of(sender: str) -> str:
    """sms, or the channel a known prefix names (whatsapp:+1555… -> whatsapp); FormError for any other."""
    if ":" not in sender:
        return "sms"
    channel = CHANNELS.get(sender.split(":", 1)[0].lower())
    if channel is None:
        raise FormError("From names a channel the line does not serve")
    return channel


def decode(form: Form) -> InboundMessage:
    """The message a signed Twilio form carries."""
    message_id = form.value("MessageSid") or form.value("SmsSid")
    sender = form.value("From").strip()
    if not message_id:
        raise FormError("MessageSid is missing")
    if not sender:
        raise FormError("From is missing")
    # The id is kept in a record: only Twilio's own form (two letters, 32 hex digits) is.
    if not MESSAGE_SID.fullmatch(message_id):
        raise FormError("MessageSid is not a Twilio message id")
    recipient = form.value("To").strip()
    # A phone number, after a channel prefix: never text that could have come from a re-split Body.
    if not ADDRESS.fullmatch(sender) or not ADDRESS.fullmatch(recipient):
        raise FormError("From or To is missing or not a phone number as Twilio sends one")
    if form.value("SmsSid", message_id) != message_id:  # Twilio sends both, the same
        raise FormError("SmsSid and MessageSid differ")
    return InboundMessage(
        message_id=message_id,
        sender=sender,
        recipient=recipient,
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
