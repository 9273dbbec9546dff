"""The values the core takes and gives: an inbound message, a subscriber, a reply."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Intent(enum.StrEnum):
    """What an inbound text is understood as."""

    TOPIC = "topic"
    MENU = "menu"
    HELP = "help"
    UNKNOWN = "unknown"
    STOP = "stop"
    START = "start"
    LANGUAGE = "language"  # asks for the list of languages
    LANGUAGE_SET = "language_set"  # chooses one; Command.locale is the choice


@dataclass(frozen=True, slots=True)
class Command:
    intent: Intent
    topic: str | None = None
    # LANGUAGE_SET: the language chosen.
    locale: str | None = None
    # The languages whose keyword matched; empty for English words, which work
    # for everyone, so only another language's word says which language she reads.
    locales: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One text as any channel hands it to the core."""

    message_id: str
    sender: str
    recipient: str
    body: str
    channel: str = "sms"
    # Whose callback brought it (and whose price its reply has): "twilio" or "africastalking".
    gateway: str = "twilio"
    # The gateway that sends the reply later, through the outbox (Africa's Talking SMS takes no reply
    # in its callback's response); None: the reply travels back in the response (TwiML, a USSD screen).
    send_via: str | None = None
    # Africa's Talking's linkId: a reply carrying it is billed to the session she opened, not to the program.
    link_id: str = ""


class Delivery(enum.StrEnum):
    """What became of a reply after the line decided to send it (receipts move it on, never back)."""

    QUEUED = "queued"  # in the outbox, not yet handed to the gateway
    SENT = "sent"  # the gateway took it (TwiML answered, or its API said so); no receipt yet
    UNKNOWN = "unknown"  # a process died while sending it: not sent again, in case it went
    DELIVERED = "delivered"
    FAILED = "failed"  # refused, undeliverable, or given up on (dead-lettered)
    CANCELLED = "cancelled"  # she texted STOP before it was sent


# Texts whose replies' fates are tracked (receipts come back for them); a session's screens are not.
TRACKED_CHANNELS = frozenset({"sms", "whatsapp"})
# Not yet known delivered or failed: what usage counts as pending.
PENDING = frozenset({Delivery.QUEUED, Delivery.SENT, Delivery.UNKNOWN})


@dataclass(frozen=True, slots=True)
class Subscriber:
    """What the line remembers of a sender."""

    locale: str | None = None
    opted_out: bool = False


@dataclass(frozen=True, slots=True)
class Utterance:
    """One thing a call says, in one language's voice."""

    text: str
    locale: str
    # The catalog entry it says ("voice_menu", "her2.spoken"): names a recording where a locale has no voice.
    key: str
    # Said whole before any key is taken: a key pressed meanwhile (a call's barge-in) cannot cut it off.
    whole: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """What the line answers; body None means "send nothing".

    For a text, body is the SMS; for a USSD step, the screen; for a call, what is said, as text.
    """

    body: str | None
    intent: Intent
    locale: str
    topic: str | None = None
    encoding: str = "GSM-7"
    segments: int = 0
    # What the line remembers of the sender after this message.
    subscriber: Subscriber = Subscriber()
    # The session waits for her next choice: a USSD screen answered with CON, a call gathering a digit.
    goes_on: bool = False
    # What a call says, in order, each in its language's voice; the referral is the last said.
    spoken: tuple[Utterance, ...] = ()
    # Written to the outbox in the same transaction as the message's record: the gateway sends it later.
    queued: bool = False
