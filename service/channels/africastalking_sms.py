"""Africa's Talking's incoming-SMS callback behind the seam (service.channels.base): a form in, admitted by
its callback key (africastalking_key); an empty 200 back, since Africa's Talking takes no reply in the
response: the reply goes out later through its messaging API (the outbox).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from service.channels.africastalking import PHONE_NUMBER, hashed_id, phone_number
from service.channels.africastalking_key import CallbackKey, KeyedCallback, callback_key
from service.channels.base import TEXT_TYPE, Channel, Encoded, Refused
from service.channels.form import FormError, decode_form, refuse_repeated
from service.core.types import InboundMessage, Reply
from service.programs import SHORT_CODE
from service.settings import Settings

GATEWAY = "africastalking"
# Africa's Talking posts seven fields (from, to, text, date, id, linkId, networkCode); a form with many
# more is not its.
READ_FIELDS = ("id", "from", "to", "text", "linkId")
MAX_FIELDS = 32
# Records keep a message id in 64 characters, unique across gateways: the prefix keeps an Africa's Talking
# id out of Twilio's space (two letters, 32 hex digits, no '-') and USSD's steps ("ATUSSD-…").
MESSAGE_ID_PREFIX = "ATSMS-"
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The number she texted: a short code, a number, or an alphanumeric sender id (1 to 11 characters, a
# letter among them, so that a string of digits is held to a short code's length).
RECIPIENT = re.compile(rf"{SHORT_CODE}|{PHONE_NUMBER.pattern}|(?=[0-9]*[A-Za-z])[A-Za-z0-9]{{1,11}}")
LINK_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
EMPTY = Encoded(TEXT_TYPE, b"")
NOT_QUEUED = "The reply could not be queued just now; try again."


def message_id(at_id: str) -> str:
    """The line's id of Africa's Talking's message id: hashed as a USSD step's is, since nothing but AT's habit
    keeps the id from holding her number (an id is stored with the record)."""
    return hashed_id(MESSAGE_ID_PREFIX, at_id)


def decode_text(body: bytes) -> InboundMessage:
    """The text one of Africa's Talking's incoming-message callbacks carries; FormError naming what is wrong."""
    form = decode_form(body, max_fields=MAX_FIELDS, too_many=f"the form has more than {MAX_FIELDS} fields")
    refuse_repeated(form, READ_FIELDS)
    at_id, link_id = form.value("id"), form.value("linkId")
    sender, recipient = phone_number(form.value("from")), phone_number(form.value("to"))
    if not MESSAGE_ID.fullmatch(at_id):
        raise FormError("id is missing or not a message id Africa's Talking sends")
    if not PHONE_NUMBER.fullmatch(sender):
        raise FormError("from is missing or not an E.164 number")
    if not RECIPIENT.fullmatch(recipient):
        raise FormError("to is missing or not a short code, an E.164 number or a sender id")
    if "text" not in form:  # an empty text is sent as text= (and answered with the menu)
        raise FormError("text is missing")
    if link_id and not LINK_ID.fullmatch(link_id):
        raise FormError("linkId is not a link id Africa's Talking sends")
    return InboundMessage(
        message_id=message_id(at_id),
        sender=sender,
        recipient=recipient,
        body=form.value("text"),
        channel="sms",
        gateway=GATEWAY,
        send_via=GATEWAY,
        link_id=link_id,
    )


class AfricasTalkingSms(KeyedCallback[InboundMessage]):
    """Africa's Talking's incoming-message callback: a form, admitted by its key, in; an empty 200 out."""

    def __init__(self, *, key: CallbackKey) -> None:
        super().__init__(key=key, decode=decode_text)

    def encode(self, reply: Reply, message: InboundMessage) -> Encoded:
        """An empty 200 once the reply is queued (or there is none); 503 when it could not be queued, so
        that Africa's Talking delivers the message again rather than it go unanswered."""
        if reply.body is not None and not reply.queued:
            raise Refused(503, NOT_QUEUED)
        return EMPTY


def sms(settings: Settings) -> AfricasTalkingSms:
    """The incoming-SMS channel of a configuration (its callback key, the same as USSD's)."""
    return AfricasTalkingSms(key=callback_key(settings))


if TYPE_CHECKING:  # the seam's Protocol, checked where the channel is made
    _: Channel = AfricasTalkingSms(key=CallbackKey(None))
