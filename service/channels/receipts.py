"""Delivery receipts behind the seam (service.channels.base.ReceiptChannel): Africa's Talking's delivery
reports and Twilio's status callbacks for the TwiML replies, each decoded to a Receipt.

A receipt is matched by a message id, never by a phone number: Africa's Talking's report carries the
number it sent to (phoneNumber), which is neither read nor kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from twilio.request_validator import RequestValidator

from service.channels.africastalking_key import CallbackKey, KeyedCallback, callback_key
from service.channels.base import Delivery, InboundRequest, Receipt, ReceiptChannel, Refused
from service.channels.form import FORM_TYPE, FormError, decode_form, refuse_repeated
from service.channels.twilio import MESSAGE_SID, verified_form
from service.settings import Settings

# Africa's Talking's delivery report: its words for a message's state (its documented list).
AT_STATES = {
    "Success": Delivery.DELIVERED,
    "Sent": Delivery.SENT,
    "Submitted": Delivery.SENT,
    "Buffered": Delivery.SENT,
    "Failed": Delivery.FAILED,
    "Rejected": Delivery.FAILED,
    "AbsentSubscriber": Delivery.FAILED,
    "Expired": Delivery.FAILED,
}
AT_FIELDS = ("id", "status", "failureReason")
AT_MAX_FIELDS = 32
# Africa's Talking's messageId, as its send API returned it (ATXid_…).
# AT's ids are "ATXid_" and 32 hex digits (records keep up to 64 characters): a letter first. The send API's
# answers are held to it too (service.channels.africastalking_api), so a report can name any id kept.
AT_MESSAGE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
# Its failure reasons are single words (InsufficientCredit, UserInBlackList …): anything else is kept as
# "other", so a record or a metric label never holds text the gateway did not document.
AT_REASON = re.compile(r"[A-Za-z]{1,40}")

# Twilio's MessageStatus for an outbound message. receiving and received are an inbound message's
# statuses: a callback for a reply never carries them, so they are refused (400). partially_delivered
# (part of a message arrived) stays SENT: not delivered, since the part lost may be the referral, and not
# failed, since a later callback may still say which.
TWILIO_STATES = {
    "queued": Delivery.SENT,
    "accepted": Delivery.SENT,
    "scheduled": Delivery.SENT,
    "sending": Delivery.SENT,
    "sent": Delivery.SENT,
    "partially_delivered": Delivery.SENT,
    "delivered": Delivery.DELIVERED,
    "read": Delivery.DELIVERED,
    "undelivered": Delivery.FAILED,
    "failed": Delivery.FAILED,
    "canceled": Delivery.FAILED,
}
TWILIO_FIELDS = ("MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "AccountSid")
REPLY_PARAMETER = "reply"
TWILIO_ERROR_CODE = re.compile(r"[0-9]{1,6}")


def at_receipt(body: bytes) -> Receipt:
    """The receipt one of Africa's Talking's delivery reports carries; FormError naming what is wrong."""
    form = decode_form(body, max_fields=AT_MAX_FIELDS, too_many=f"the form has more than {AT_MAX_FIELDS} fields")
    refuse_repeated(form, AT_FIELDS)
    provider_id, state, reason = form.value("id"), AT_STATES.get(form.value("status")), form.value("failureReason")
    if not AT_MESSAGE_ID.fullmatch(provider_id):
        raise FormError("id is missing or not a message id Africa's Talking sends")
    if state is None:
        raise FormError("status is missing or not one Africa's Talking documents")
    kept = reason if not reason or AT_REASON.fullmatch(reason) else "other"
    return Receipt(gateway="africastalking", state=state, provider_id=provider_id, reason=kept)


def reply_to(request: InboundRequest) -> str:
    """The inbound MessageSid the callback's URL names (?reply=SM…, signed with the URL); FormError else."""
    named = [value for name, value in request.params() if name == REPLY_PARAMETER]
    if len(named) != 1 or not MESSAGE_SID.fullmatch(named[0]):
        raise FormError("the URL names no message this line answered (?reply=SM…)")
    return named[0]


def twilio_receipt(request: InboundRequest, *, validator: RequestValidator | None) -> Receipt:
    """The receipt of a status callback Twilio signed for the URL as called; Refused 400 or 403 otherwise."""
    form = verified_form(request, validator=validator, fields=TWILIO_FIELDS)
    try:
        answered = reply_to(request)
        sid, state = form.value("MessageSid"), TWILIO_STATES.get(form.value("MessageStatus"))
        if not MESSAGE_SID.fullmatch(sid) or form.value("SmsSid", sid) != sid:
            raise FormError("MessageSid is missing, not a Twilio message id, or not SmsSid")
        if state is None:
            raise FormError("MessageStatus is missing or not an outbound message's status")
    except FormError as error:
        raise Refused(400, str(error)) from None
    code = form.value("ErrorCode")
    reason = "" if not code else f"twilio_{code}" if TWILIO_ERROR_CODE.fullmatch(code) else "other"
    return Receipt(gateway="twilio", state=state, provider_id=sid, reply_to=answered, reason=reason)


class TwilioStatusCallbacks:
    """Twilio's status callbacks for the replies the line sent as TwiML (<Message action=…>)."""

    provider = "Twilio"
    content_type = FORM_TYPE

    def __init__(self, *, token: str | None) -> None:
        # None without an Auth Token: nothing can be verified, every call is refused.
        self.validator = RequestValidator(token) if token else None

    def verify_and_decode(self, request: InboundRequest) -> Receipt:
        """The receipt of a callback Twilio signed for the URL as called (its ?reply=… included)."""
        return twilio_receipt(request, validator=self.validator)


def africastalking_reports(settings: Settings) -> KeyedCallback[Receipt]:
    """Africa's Talking's delivery reports of a configuration: a form, admitted by the callback key (as USSD's
    and SMS's), in; a Receipt out."""
    return KeyedCallback(key=callback_key(settings), decode=at_receipt)


def twilio_status(settings: Settings) -> TwilioStatusCallbacks:
    """Twilio's status callbacks of a configuration (its Auth Token)."""
    token = settings.twilio_auth_token
    return TwilioStatusCallbacks(token=token.get_secret_value() if token else None)


if TYPE_CHECKING:  # the seam's Protocol, checked where the channels are made
    _: ReceiptChannel = KeyedCallback(key=CallbackKey(None), decode=at_receipt)
    __: ReceiptChannel = TwilioStatusCallbacks(token=None)
