"""Africa's Talking's USSD callback behind the seam (service.channels.base): a form in, "CON <screen>"
or "END <screen>" back as text/plain; admitted by its callback key (service.channels.africastalking_key).
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import TYPE_CHECKING

from service.channels.africastalking_key import CallbackKey, KeyedCallback, callback_key
from service.channels.base import TEXT_TYPE, Channel, Encoded
from service.channels.form import FormError, decode_form, refuse_repeated
from service.core.types import InboundMessage, Reply
from service.core.ussd_path import within_bounds
from service.programs import USSD_CODE
from service.settings import Settings

# Africa's Talking posts these five; a form with many more is not its.
READ_FIELDS = ("sessionId", "serviceCode", "phoneNumber", "networkCode", "text")
MAX_FIELDS = 32
SESSION_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
PHONE_NUMBER = re.compile(r"\+[1-9][0-9]{6,14}")
NETWORK_CODE = re.compile(r"[0-9]{0,10}")
PATH = re.compile(r"[0-9*]*")
# A step's id: this prefix and a hash of the session and the path, so a step delivered again is one
# record, and the id names neither the caller nor what she typed.
MESSAGE_ID_PREFIX = "ATUSSD-"
CONTINUE, END = "CON ", "END "


def hashed_id(prefix: str, *parts: str) -> str:
    """A record's message id for what Africa's Talking sent: the prefix and a hash of the parts (at most 64
    characters, as records keep them), so a redelivery is one record and no id holds a number or a text."""
    return prefix + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:48]


def step_id(session_id: str, text: str) -> str:
    """The message id of one step of a session."""
    return hashed_id(MESSAGE_ID_PREFIX, session_id, text)


def phone_number(value: str) -> str:
    """The number a form field carries, its "+" restored if it arrived as a space."""
    # A '+' sent unencoded reads as a space in a form: " 254711…" is +254711….
    if value[:1] == " " and value[1:].isdigit():
        return "+" + value[1:]
    return value.strip()


def decode_step(body: bytes) -> InboundMessage:
    """The step one of Africa's Talking's USSD callbacks carries; FormError naming what is wrong."""
    form = decode_form(body, max_fields=MAX_FIELDS, too_many=f"the form has more than {MAX_FIELDS} fields")
    refuse_repeated(form, READ_FIELDS)
    session, code, text = form.value("sessionId"), form.value("serviceCode"), form.value("text")
    sender = phone_number(form.value("phoneNumber"))
    if not SESSION_ID.fullmatch(session):
        raise FormError("sessionId is missing or not one Africa's Talking sends")
    if not USSD_CODE.fullmatch(code):
        raise FormError("serviceCode is missing or not a USSD code (*384*1234#)")
    if not PHONE_NUMBER.fullmatch(sender):
        raise FormError("phoneNumber is missing or not an E.164 number")
    if not NETWORK_CODE.fullmatch(form.value("networkCode")):
        raise FormError("networkCode is not a network code")
    if not PATH.fullmatch(text):
        raise FormError("text holds something other than digits and '*'")
    if not within_bounds(text):
        raise FormError("text is longer than a USSD session goes")
    return InboundMessage(
        message_id=step_id(session, text),
        sender=sender,
        recipient=code,
        body=text,
        channel="ussd",
        gateway="africastalking",
    )


@functools.lru_cache(maxsize=1024)
def _encoded(body: str | None, goes_on: bool) -> Encoded:
    # The same few hundred screens go out again and again: each is built once.
    return Encoded(TEXT_TYPE, ((CONTINUE if goes_on else END) + (body or "")).encode("utf-8"))


class AfricasTalkingUssd(KeyedCallback[InboundMessage]):
    """Africa's Talking's USSD callback: a form, admitted by its key, in; a screen out."""

    def __init__(self, *, key: CallbackKey) -> None:
        super().__init__(key=key, decode=decode_step)

    def encode(self, reply: Reply, message: InboundMessage) -> Encoded:
        """The screen: "CON …" while the session waits for a choice, "END …" when it is over."""
        return _encoded(reply.body, reply.goes_on)


def ussd(settings: Settings) -> AfricasTalkingUssd:
    """The USSD channel of a configuration (its callback key)."""
    return AfricasTalkingUssd(key=callback_key(settings))


if TYPE_CHECKING:  # the seam's Protocol, checked where the channel is made
    _: Channel = AfricasTalkingUssd(key=CallbackKey(None))
