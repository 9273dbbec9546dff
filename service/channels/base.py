"""The channel seam: what a provider module gives the generic inbound endpoint (service.web.inbound).

A provider is one module here. Its channel verifies a request and decodes it to an InboundMessage
(or raises Refused), and encodes the line's Reply as the provider expects it back: TwiML, a USSD
screen, or an empty acknowledgement when the reply goes out later through the outbox. The endpoint
does the rest, the same for every provider: method, content type, the body and its cap, hang-ups,
metrics and the log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl

from service.core.types import Delivery, InboundMessage, Reply

__all__ = [
    "Channel", "Delivery", "Encoded", "InboundMessage", "InboundRequest", "Receipt", "ReceiptChannel", "Refused",
    "Reply",
]  # fmt: skip

TEXT_TYPE = b"text/plain; charset=utf-8"
# The line's own URLs carry one or two parameters (?key=…, ?path=…); an operator's proxy may add a few.
MAX_PARAMS = 8
TOO_MANY_PARAMS = "The URL has more query parameters than any provider's call."


class Refused(Exception):
    """A request answered with a 4xx whose text names the problem, never the request's content."""

    def __init__(self, status: int, reason: str, *headers: tuple[bytes, bytes]) -> None:
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, list(headers)


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """What a provider may need of one call, read once by the endpoint."""

    method: str
    # The URL as called: PUBLIC_BASE_URL's form behind a proxy, else scheme://host/path?query.
    url: str
    path: str
    query: bytes
    # Lower-case names; a repeated header's last value.
    headers: Mapping[bytes, bytes]
    body: bytes

    def params(self) -> list[tuple[str, str]]:
        """The query string's parameters, in order (a provider's key=…, for one); Refused 400 for more than
        any provider's URL carries, counted before anything is parsed (it may be read before verifying)."""
        try:
            return parse_qsl(self.query.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_PARAMS)
        except ValueError:
            raise Refused(400, TOO_MANY_PARAMS) from None

    def header(self, name: bytes) -> str | None:
        """One header's value as text (latin-1, as HTTP carries it), or None when it was not sent."""
        value = self.headers.get(name)
        return None if value is None else value.decode("latin-1")


@dataclass(frozen=True, slots=True)
class Encoded:
    """A reply as the provider reads it: the response's content type and body."""

    content_type: bytes
    body: bytes


class Channel(Protocol):
    """One provider's side of the seam."""

    # Who calls (for the endpoint's refusals: "Twilio POSTs its messages here.").
    provider: str
    # The one content type its calls carry, lower case, without parameters.
    content_type: str

    def verify_and_decode(self, request: InboundRequest) -> InboundMessage:
        """The message a genuine call carries; Refused (400, 403 …) for any other."""
        ...

    def encode(self, reply: Reply, message: InboundMessage) -> Encoded:
        """The reply to message as the provider expects it in the response (empty when sent later); a
        session's next step may need the message (a call's next action URL carries the path so far)."""
        ...


@dataclass(frozen=True, slots=True)
class Receipt:
    """A gateway's word on one reply it was given: matched by an id, never by a phone number."""

    gateway: str
    # SENT, DELIVERED or FAILED (a receipt never queues, cancels or loses a reply).
    state: Delivery
    # The gateway's id of the reply it sent (Africa's Talking's messageId) ...
    provider_id: str | None = None
    # ... or the id of the message it answered (Twilio: the inbound MessageSid in the callback's URL).
    reply_to: str | None = None
    # The gateway's reason for a failure, as its documented code or word (never free text of hers).
    reason: str = ""


class ReceiptChannel(Protocol):
    """One provider's delivery receipts."""

    provider: str
    content_type: str

    def verify_and_decode(self, request: InboundRequest) -> Receipt:
        """The receipt a genuine call carries; Refused (400, 403 …) for any other."""
        ...
