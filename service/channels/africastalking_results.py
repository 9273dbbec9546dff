"""What Africa's Talking's messaging API answered, read: taken (its id and price), refused, trouble worth
another try, or unsure (it may have taken it). Pure: no HTTP here (service.channels.africastalking_api sends).
A result's reason is a short fixed word, never the response's text (which may echo her number back).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from service.channels.receipts import AT_MESSAGE_ID

# Per-recipient statusCode: 100 Processed, 101 Sent, 102 Queued all mean AT took it.
ACCEPTED = frozenset({100, 101, 102})
# AT's documented failures. The word is ours, looked up by code: the response's own text is never kept.
FAILURES = {
    401: "RiskHold", 402: "InvalidSenderId", 403: "InvalidPhoneNumber", 404: "UnsupportedNumberType",
    405: "InsufficientBalance", 406: "UserInBlacklist", 407: "CouldNotRoute", 409: "DoNotDisturbRejection",
    500: "InternalServerError", 501: "GatewayError", 502: "RejectedByGateway",
}  # fmt: skip
COST = re.compile(r"([A-Z]{3}) ([0-9]{1,9}(?:\.[0-9]{1,9})?)")
# The currencies of AT's markets: any other three letters would be a new metric label and a "mixed" day.
CURRENCIES = frozenset({"KES", "UGX", "TZS", "RWF", "NGN", "MWK", "ZMW", "ETB", "GHS", "XOF", "XAF", "ZAR", "USD"})
# No SMS costs this much in any of them: a larger price is a broken gateway's, kept out of the figures.
MAX_PRICE = 1000.0
# The ids its delivery reports may name (and never one holding her number: send() refuses those).
PROVIDER_ID = AT_MESSAGE_ID


@dataclass(frozen=True, slots=True)
class Sent:
    """AT took the message: its id (receipts name it) and what it said the message cost."""

    provider_id: str
    cost: float | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Final: AT refused it (an HTTP 4xx, "http_401"; or its per-recipient word, "InvalidPhoneNumber")."""

    reason: str


@dataclass(frozen=True, slots=True)
class Trouble:
    """Retry later: "connect" (nothing reached AT), "http_503", "http_429", "timeout" or "network" (a
    connection lost): the last two may follow a request AT took, but the outbox's rule retries them."""

    reason: str


@dataclass(frozen=True, slots=True)
class Unsure:
    """AT answered 2xx but no readable result ("bad_response": not JSON, too long, no id, cut short): it
    may well have sent the message, so a retry could send it twice; for the outbox, Delivery.UNKNOWN."""

    reason: str


SendResult = Sent | Refusal | Trouble | Unsure


def parse_cost(text: object) -> tuple[float | None, str | None]:
    """AT's "KES 0.8000" -> (0.8, "KES"); "0", "None" or anything else -> (None, None)."""
    match = COST.fullmatch(text) if isinstance(text, str) else None
    if not match or match[1] not in CURRENCIES or float(match[2]) > MAX_PRICE:
        return None, None
    return float(match[2]), match[1]


def _status_code(value: Any) -> int | None:
    """A recipient's statusCode as a number of three digits (anything else could be her number)."""
    return value if type(value) is int and 100 <= value <= 999 else None


def _recipient_result(recipient: Any) -> SendResult:
    """What AT's one recipient entry says."""
    code = _status_code(recipient.get("statusCode")) if isinstance(recipient, dict) else None
    if code is None:
        return Unsure("bad_response")
    if code not in ACCEPTED:
        return Refusal(FAILURES.get(code, f"status_{code}"))
    provider_id = recipient.get("messageId")
    if not isinstance(provider_id, str) or not PROVIDER_ID.fullmatch(provider_id) or provider_id == "None":
        return Unsure("bad_response")
    return Sent(provider_id, *parse_cost(recipient.get("cost")))


def result_of(body: bytes) -> SendResult:
    """The result a 2xx answer's JSON body says (SMSMessageData.Recipients, one for our one number)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return Unsure("bad_response")
    sms = data.get("SMSMessageData") if isinstance(data, dict) else None
    recipients = sms.get("Recipients") if isinstance(sms, dict) else None
    if not isinstance(recipients, list) or len(recipients) > 1:
        return Unsure("bad_response")
    if not recipients:
        # AT took the request and sent nothing; its Message then names why ("InvalidSenderId").
        said = sms.get("Message") if isinstance(sms, dict) else None
        return Refusal(next((word for word in FAILURES.values() if word == said), "no_recipient"))
    return _recipient_result(recipients[0])
