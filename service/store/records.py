"""The values the store keeps: no phone numbers (only keyed hashes) and no message bodies."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.core.rate_limit import HOUR
from service.core.types import Subscriber

__all__ = ["HOUR", "Change", "Record", "StoreUnavailable", "SubscriberState"]


class StoreUnavailable(Exception):
    """The database cannot take this now; the caller degrades instead of failing.

    transient: the database is away or busy (try again later); otherwise it
    refused this very write (a value too long), and retrying will not help.
    retry_now: the transaction lost a race with another (a deadlock, a serialization
    failure); the same work, tried again at once, goes through.
    """

    def __init__(self, kind: str, *, transient: bool = True, retry_now: bool = False):
        super().__init__(kind)
        self.transient, self.retry_now = transient, retry_now


@dataclass(frozen=True, slots=True)
class Record:
    """One inbound message as the line understood and answered it."""

    message_sid: str
    sender_key: str
    program: str
    channel: str
    intent: str
    topic: str | None
    locale: str
    segments: int
    encoding: str
    replied: bool
    rate_limited: bool = False
    simulated: bool = False
    created_at: datetime.datetime | None = None
    # What became of the reply (service.core.types.Delivery's value); None when nothing tracks it.
    delivery: str | None = None
    # Whose callback brought the message: its reply's price and receipts are that gateway's.
    gateway: str = "twilio"


@dataclass(frozen=True, slots=True)
class SubscriberState:
    """A subscriber as stored: what respond() needs plus the reply counters of the rate limit."""

    subscriber: Subscriber = Subscriber()
    # Epoch seconds of the opt-out or opt-in that set subscriber.opted_out.
    opted_changed_at: float | None = None
    # Epoch seconds; counters of replies sent in the current short window and hour.
    window_start: float = 0.0
    window_count: int = 0
    hour_start: float = 0.0
    hour_count: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """What one message changes about its sender; None leaves a field as it is."""

    at: float  # epoch seconds of the message
    locale: str | None = None
    opted_out: bool | None = None
    replied: bool = False
    window_seconds: int = 30
