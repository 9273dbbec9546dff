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

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_SETTINGS_HEADER", "Form", "FormError", "parse_form", "signature_of", "is_signed",
           "refuse_ambiguous", "decode", "twiml"]


# Twilio sends a few dozen fields (WhatsApp with ten media items about sixty): a form with far
# more is refused before it is decoded or any signature is computed.
MAX_FIELDS = 128
# The fields the line acts on; each must occur once (refuse_ambiguous).
READ_FIELDS = ("From", "To", "Body", "MessageSid", "SmsSid", "AccountSid", "NumMedia")
# Twilio address prefixes the line answers, and the channel each is recorded as. Anything else in
# From is refused: a channel is a label, and a label never holds a sender's digits.
CHANNELS = {"whatsapp": "whatsapp"}
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
ADDRESS = re.compile(r"(?:[a-z]+:)?\+[1-9][0-9]{1,14}")
MAX_NAME_CHARS = 64


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
    form it called, and its own validator tries all of them (RequestValidator.validate's add_port,
    remove_port), here without parsing the form again."""
    scheme, separator, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    host, colon, port = authority.rpartition(":") if not authority.endswith("]") else (authority, "", "")
    if not colon or not port.isdigit():
        host, port = authority, ""
    default = "443" if scheme == "https" else "80"
    bare = f"{scheme}{separator}{host}{slash}{path}"
    with_port = f"{scheme}{separator}{host}:{port or default}{slash}{path}"
    return tuple(dict.fromkeys((url, bare, with_port)))


def is_signed(
    *, validator: RequestValidator, url: str, form: Form, signature: str | None,
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
