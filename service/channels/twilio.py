"""Twilio Programmable Messaging behind the seam (service.channels.base): a signed form in
(twilio_form, twilio_signature), an InboundMessage out, the Reply back as TwiML."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from twilio.request_validator import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from service.channels.base import Channel, Encoded, InboundRequest, Refused
from service.channels.form import FORM_TYPE
from service.channels.twilio_form import MAX_FIELDS, READ_FIELDS, Form, FormError, parse_form, refuse_ambiguous
from service.channels.twilio_signature import is_signed, signature_of, url_variants
from service.core.types import InboundMessage, Reply
from service.programs import SHORT_CODE
from service.settings import Settings

__all__ = [
    "TwilioMessaging",
    "messaging",
    "MAX_FIELDS",
    "READ_FIELDS",
    "SIGNATURE_HEADER",
    "SIGNATURE_SETTINGS_HEADER",
    "Form",
    "FormError",
    "parse_form",
    "signature_of",
    "url_variants",
    "is_signed",
    "refuse_ambiguous",
    "decode",
    "twiml",
]


TWIML_TYPE = b"application/xml"
# As the server hands headers over: lower case, bytes.
SIGNATURE = SIGNATURE_HEADER.lower().encode()
SIGNATURE_SETTINGS = SIGNATURE_SETTINGS_HEADER.lower().encode()
NOT_SIGNED = "The request is not signed by Twilio for this URL."

# Twilio address prefixes the line answers, and the channel each is recorded as. Anything else in
# From is refused: a channel is a label, and a label never holds a sender's digits.
CHANNELS = {"whatsapp": "whatsapp"}
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
PHONE = re.compile(r"\+[1-9][0-9]{1,14}")
ADDRESS = re.compile(rf"(?:[a-z]+:)?{PHONE.pattern}")
# A program's number as Twilio sends To: an address as above, or a short code (3 to 8 digits, as
# programs.toml lists them): a short code's texts arrive with its digits alone.
LINE = re.compile(rf"{ADDRESS.pattern}|{SHORT_CODE}")


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
    if not ADDRESS.fullmatch(sender) or not LINE.fullmatch(recipient):
        raise FormError("From or To is missing or not a phone number (or To a short code) as Twilio sends one")
    if form.value("SmsSid", message_id) != message_id:  # Twilio sends both, the same
        raise FormError("SmsSid and MessageSid differ")
    return InboundMessage(
        message_id=message_id,
        sender=sender,
        recipient=recipient,
        body=form.value("Body"),
        channel=channel_of(sender),
    )


def verified_form(
    request: InboundRequest, *, validator: RequestValidator | None, fields: tuple[str, ...] = READ_FIELDS
) -> Form:
    """The form of a request Twilio signed for the URL as called (query included), its fields read (fields)
    each once; Refused 400 when it is no usable form, 403 when not signed (or no token to check it with)."""
    try:
        form = parse_form(request.body)
        refuse_ambiguous(form, fields=fields)
    except FormError as error:
        raise Refused(400, str(error)) from None
    if validator is None or not is_signed(
        validator=validator,
        url=request.url,
        form=form,
        signature=request.header(SIGNATURE),
        settings_header=request.header(SIGNATURE_SETTINGS),
    ):
        raise Refused(403, NOT_SIGNED)
    return form


# Where Twilio posts a reply's status callbacks (service.channels.receipts): relative, so Twilio resolves it
# against the URL it called and PUBLIC_BASE_URL and proxies keep working; the reply names the message answered.
RECEIPT_ACTION = "/delivery/twilio?reply="
NOTHING = Encoded(TWIML_TYPE, MessagingResponse().to_xml().encode("utf-8"))
# Stands in for the MessageSid in a cached reply: the action attribute comes before the body in the TwiML,
# so its first occurrence is the attribute's, whatever the body holds.
_SID_SLOT = "SM" + "0" * 32


@functools.lru_cache(maxsize=4096)
def _around_sid(body: str) -> tuple[bytes, bytes]:
    # The same few hundred replies go out again and again: each is built once, and a message's id is
    # spliced into it (a MessageSid, checked by decode, is letters and digits: nothing to escape in XML or a URL).
    response = MessagingResponse()
    response.message(body, action=RECEIPT_ACTION + _SID_SLOT)
    head, _, tail = response.to_xml().encode("utf-8").partition(_SID_SLOT.encode())
    return head, tail


def twiml(reply: Reply | None, *, message_sid: str) -> bytes:
    """TwiML for a reply to the message message_sid (UTF-8), its status callbacks posted to RECEIPT_ACTION;
    an empty <Response/> when there is nothing to send."""
    if reply is None or reply.body is None:
        return NOTHING.body
    if not MESSAGE_SID.fullmatch(message_sid):
        raise ValueError("not a Twilio MessageSid")
    head, tail = _around_sid(reply.body)
    return b"".join((head, message_sid.encode("ascii"), tail))


class TwilioMessaging:
    """Twilio's messaging webhook (SMS, WhatsApp): a signed form in, TwiML out."""

    provider = "Twilio"
    content_type = FORM_TYPE

    def __init__(self, *, token: str | None) -> None:
        # None without an Auth Token: nothing can be verified, every call is refused.
        self.validator = RequestValidator(token) if token else None

    def verify_and_decode(self, request: InboundRequest) -> InboundMessage:
        """The message of a form Twilio signed for the URL as called; Refused 400 or 403 otherwise."""
        form = verified_form(request, validator=self.validator)
        try:
            return decode(form)
        except FormError as error:
            raise Refused(400, str(error)) from None

    def encode(self, reply: Reply, message: InboundMessage) -> Encoded:
        """The reply as TwiML, its status callbacks posted to the line (service.channels.receipts)."""
        return Encoded(TWIML_TYPE, twiml(reply, message_sid=message.message_id))


def messaging(settings: Settings) -> TwilioMessaging:
    """The messaging channel of a configuration (its Auth Token)."""
    token = settings.twilio_auth_token
    return TwilioMessaging(token=token.get_secret_value() if token else None)


if TYPE_CHECKING:  # the seam's Protocol, checked where the channel is made
    _: Channel = TwilioMessaging(token=None)
