"""One message's answer by its sender's state, and what becomes of it once its write is done.

The pure core decides the reply; this adds what the store knows: the reply cap,
an opt-out still waiting in the spool, the record and the change to write, and
the reply sent again for a MessageSid seen before.
"""

from __future__ import annotations

import dataclasses
import functools

from prometheus_client import Counter

from service.core import InboundMessage, Reply, respond
from service.core.opt_out import REPLAYED_WHEN_OPTED_OUT, opt_change, spooled_is_newer
from service.core.rate_limit import capped, counts_toward_cap, over_cap
from service.core.render import render
from service.core.types import TRACKED_CHANNELS, Delivery, Intent, Subscriber
from service.observability import RATE_LIMITED, REPLIES, SEGMENTS
from service.programs import Program
from service.snapshot import ContentSnapshot
from service.store.records import Change, Record, SubscriberState
from service.store.spool import Spool


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """A message understood, before its record is written."""

    reply: Reply
    record: Record
    change: Change
    program: Program
    channel: str
    limited: bool
    opted_out: bool


def answer_by_state(
    *, message: InboundMessage, key: str, program: Program, stored: SubscriberState | None, now: float,
    simulated: bool, spool: Spool | None, snapshot: ContentSnapshot,
) -> Answer:  # fmt: skip
    """Her message answered by her stored state (None: not read, the database is away) and any opt-out
    still in the spool (spool: None when it is empty)."""
    state = _with_spooled_opt_out(spool=spool, key=key, state=stored or SubscriberState())
    reply = respond(message, state.subscriber, program, snapshot.catalogs)
    over = over_cap(window_start=state.window_start, window_count=state.window_count, hour_start=state.hour_start,
                    hour_count=state.hour_count, program=program, now=now)  # fmt: skip
    limited = capped(intent=reply.intent, replying=reply.body is not None, over=over, channel=message.channel)
    if limited:
        reply = dataclasses.replace(reply, body=None, segments=0)
    record = Record(
        message_sid=message.message_id, sender_key=key, program=program.id, channel=message.channel,
        intent=reply.intent.value, topic=reply.topic, locale=reply.locale, segments=reply.segments,
        encoding=reply.encoding, replied=reply.body is not None, rate_limited=limited, simulated=simulated,
        delivery=_delivery(message=message, replying=reply.body is not None, simulated=simulated),
        gateway=message.gateway,
    )  # fmt: skip
    change = _change(before=state.subscriber, reply=reply, program=program, now=now, known=stored is not None,
                     counted=counts_toward_cap(message.channel))  # fmt: skip
    return Answer(reply=reply, record=record, change=change, program=program, channel=message.channel,
                  limited=limited, opted_out=state.subscriber.opted_out)  # fmt: skip


def _delivery(*, message: InboundMessage, replying: bool, simulated: bool) -> str | None:
    """A new reply's fate: queued for a gateway that sends later, sent when it goes back in the response."""
    if not replying or simulated or message.channel not in TRACKED_CHANNELS:
        return None
    return Delivery.QUEUED.value if message.send_via else Delivery.SENT.value


def _with_spooled_opt_out(*, spool: Spool | None, key: str, state: SubscriberState) -> SubscriberState:
    """The state with an opt-out or opt-in still waiting in the spool, if it is the newer."""
    spooled = spool.opted_out(key) if spool is not None else None
    if spooled is None or not spooled_is_newer(stored_at=state.opted_changed_at, spooled_at=spooled[1]):
        return state
    subscriber = dataclasses.replace(state.subscriber, opted_out=spooled[0])
    return dataclasses.replace(state, subscriber=subscriber, opted_changed_at=spooled[1])


def _change(*, before: Subscriber, reply: Reply, program: Program, now: float, known: bool, counted: bool) -> Change:
    after = reply.subscriber
    # Without the stored state (database away) only an explicit choice of
    # language is news; anything else would overwrite her choice with a guess.
    chose = known or reply.intent == Intent.LANGUAGE_SET
    return Change(
        at=now,
        locale=after.locale if chose and after.locale != before.locale else None,
        opted_out=opt_change(intent=reply.intent, after=after),
        replied=counted and reply.body is not None,
        window_seconds=program.reply_window_seconds,
    )


def finish(
    *, answer: Answer, first: Record | None, saved: bool, spool: Spool, snapshot: ContentSnapshot, simulated: bool
) -> Reply:
    """The reply to send once the write is done: spooled if it could not be, replayed if it was a duplicate."""
    if not saved:
        # Nothing is queued without the database: the gateway is asked to deliver the message again.
        unqueued = answer.record.delivery == Delivery.QUEUED
        spool.add(record=dataclasses.replace(answer.record, delivery=None) if unqueued else answer.record,
                  change=answer.change)  # fmt: skip
    elif first:
        if not counts_toward_cap(answer.channel):
            # A session step (USSD, voice) is answered from its path, which its id carries: the step
            # delivered again gets the same screen, answered anew, and nothing is counted twice.
            return answer.reply
        return replay(record=first, program=answer.program, snapshot=snapshot, opted_out=answer.opted_out)
    if not simulated:
        count_reply(reply=answer.reply, program=answer.program, channel=answer.channel, limited=answer.limited)
    return answer.reply


def replay(*, record: Record, program: Program, snapshot: ContentSnapshot, opted_out: bool) -> Reply:
    """The reply a recorded message got, for a provider delivering the same message id again.

    Not if she has opted out since: then only her STOP/START/HELP confirmations are sent again.
    """
    intent = Intent(record.intent)
    if not record.replied or (opted_out and intent not in REPLAYED_WHEN_OPTED_OUT):
        return Reply(body=None, intent=intent, locale=record.locale, topic=record.topic)
    text, locale, cost = render(
        catalogs=snapshot.catalogs, intent=intent, topic=record.topic, locale=record.locale, program=program
    )
    return Reply(
        body=text, intent=intent, locale=locale, topic=record.topic, encoding=cost.encoding, segments=cost.segments
    )


def count_reply(*, reply: Reply, program: Program, channel: str, limited: bool) -> None:
    """Add one answered message to the metrics."""
    if limited:
        RATE_LIMITED.labels(program=program.id).inc()
    if reply.body is not None:
        replies, segments = _reply_counters(
            reply.intent.value, reply.topic or "", reply.locale, program.id, channel, reply.encoding
        )
        replies.inc()
        segments.inc(reply.segments)


@functools.lru_cache(maxsize=4096)
def _reply_counters(
    intent: str, topic: str, locale: str, program: str, channel: str, encoding: str
) -> tuple[Counter, Counter]:
    # Looking a labelled child up costs more than counting; the label sets are few.
    return (
        REPLIES.labels(intent=intent, topic=topic, locale=locale, program=program, channel=channel),
        SEGMENTS.labels(program=program, encoding=encoding),
    )
