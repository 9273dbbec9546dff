"""answer(): one verified inbound message through store, core and store again.

Per message: one read (the sender's state), the pure core, one write (which
also tells a MessageSid seen before, by the record's unique constraint).
When the database is away, content is still answered and what must not be
lost (opt-outs and opt-ins first, every record with them) goes to the spool.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time

from service.core import InboundMessage, Reply, respond
from service.core.render import render
from service.core.types import Intent, Subscriber
from service.line import Line
from service.observability import DEGRADED, RATE_LIMITED, REPLIES, SEGMENTS
from service.privacy import sender_key
from service.programs import Program
from service.store import Change, Record, StoreUnavailable, SubscriberState
from service.store.records import HOUR

log = logging.getLogger("service.answer")


def over_cap(*, state: SubscriberState, program: Program, now: float) -> bool:
    """Whether the sender has had as many replies as the program allows for now."""
    in_window = state.window_start > now - program.reply_window_seconds
    in_hour = state.hour_start > now - HOUR
    return (in_window and state.window_count >= program.reply_cap) or (
        in_hour and state.hour_count >= program.hourly_cap
    )


def replay(*, record: Record, program: Program, line: Line, opted_out: bool) -> Reply:
    """The reply a recorded message got, for Twilio delivering the same MessageSid again.

    Not if she has opted out since: then only her STOP/START/HELP confirmations are sent again.
    """
    intent = Intent(record.intent)
    if not record.replied or (opted_out and intent not in NEVER_CAPPED):
        return Reply(body=None, intent=intent, locale=record.locale, topic=record.topic)
    text, locale, cost = render(
        catalogs=line.catalogs, intent=intent, topic=record.topic, locale=record.locale, program=program
    )
    return Reply(
        body=text, intent=intent, locale=locale, topic=record.topic, encoding=cost.encoding, segments=cost.segments
    )


def _record(
    *, message: InboundMessage, key: str, program: Program, reply: Reply, rate_limited: bool, simulated: bool
) -> Record:
    return Record(
        message_sid=message.message_id,
        sender_key=key,
        program=program.id,
        channel=message.channel,
        intent=reply.intent.value,
        topic=reply.topic,
        locale=reply.locale,
        segments=reply.segments,
        encoding=reply.encoding,
        replied=reply.body is not None,
        rate_limited=rate_limited,
        simulated=simulated,
    )


def _change(*, before: Subscriber, reply: Reply, program: Program, now: float, known: bool) -> Change:
    after = reply.subscriber
    # Without the stored state (database away) only an explicit choice of
    # language is news; anything else would overwrite her choice with a guess.
    chose = known or reply.intent == Intent.LANGUAGE_SET
    return Change(
        at=now,
        locale=after.locale if chose and after.locale != before.locale else None,
        opted_out=after.opted_out if reply.intent in (Intent.STOP, Intent.START) else None,
        replied=reply.body is not None,
        window_seconds=program.reply_window_seconds,
    )


_last_warning = [0.0]
WARN_EVERY_SECONDS = 10.0
# Carriers require these confirmations even to a sender past her reply cap.
NEVER_CAPPED = frozenset({Intent.STOP, Intent.START, Intent.HELP})


def _warn_now() -> bool:
    # One warning per interval: an outage under load would otherwise write a
    # line per message (the metric counts them all).
    now = time.monotonic()
    if now - _last_warning[0] < WARN_EVERY_SECONDS:
        return False
    _last_warning[0] = now
    return True


def _with_spooled_opt_out(*, line: Line, key: str, state: SubscriberState, spool_pending: bool) -> SubscriberState:
    """The state with an opt-out or opt-in still waiting in the spool, if it is the newer."""
    spooled = line.spool.opted_out(key) if spool_pending else None
    if spooled is None or (state.opted_changed_at is not None and state.opted_changed_at >= spooled[1]):
        return state
    return dataclasses.replace(
        state, subscriber=dataclasses.replace(state.subscriber, opted_out=spooled[0]), opted_changed_at=spooled[1]
    )


def load(*, line: Line, key: str) -> SubscriberState | None:
    """The sender's stored state; None when the database is away."""
    try:
        return line.store.load(sender_key=key)
    except StoreUnavailable:
        degraded(step="load")
        return None


def degraded(*, step: str) -> None:
    """Count (and now and then say) that a message is answered without the database."""
    DEGRADED.labels(step=step).inc()
    if _warn_now():
        log.warning("store unavailable: answering without it", extra={"degraded": True})


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """A message understood, before its record is written."""

    reply: Reply
    record: Record
    change: Change
    stored: bool  # whether the sender's state was read from the database (else the spool takes the write)
    limited: bool
    opted_out: bool


def understand(
    *,
    line: Line,
    message: InboundMessage,
    key: str,
    program: Program,
    stored: SubscriberState | None,
    now: float,
    simulated: bool,
    spool_pending: bool | None = None,
) -> Answer:
    """Answer her message by her stored state (None: the database is away) and any opt-out still spooled.

    spool_pending: line.spool.pending(), when the caller has just asked it for several messages.
    """
    if spool_pending is None:
        spool_pending = line.spool.pending()
    state = _with_spooled_opt_out(line=line, key=key, state=stored or SubscriberState(), spool_pending=spool_pending)
    reply = respond(message, state.subscriber, program, line.catalogs)
    limited = (
        reply.body is not None and reply.intent not in NEVER_CAPPED and over_cap(state=state, program=program, now=now)
    )
    if limited:
        reply = dataclasses.replace(reply, body=None, segments=0)
    return Answer(
        reply=reply,
        stored=stored is not None,
        limited=limited,
        opted_out=state.subscriber.opted_out,
        record=_record(
            message=message, key=key, program=program, reply=reply, rate_limited=limited, simulated=simulated
        ),
        change=_change(before=state.subscriber, reply=reply, program=program, now=now, known=stored is not None),
    )


def conclude(
    *,
    line: Line,
    message: InboundMessage,
    program: Program,
    answered: Answer,
    first: Record | None,
    saved: bool,
    simulated: bool,
) -> Reply:
    """The reply to send once the write is done: spooled if it could not be, replayed if it was a duplicate."""
    if not saved:
        line.spool.add(record=answered.record, change=answered.change)
    elif first:
        return replay(record=first, program=program, line=line, opted_out=answered.opted_out)
    if not simulated:
        count(reply=answered.reply, program=program, channel=message.channel, limited=answered.limited)
    return answered.reply


def program_and_key(*, line: Line, message: InboundMessage, simulated: bool = False) -> tuple[Program, str]:
    """The program the message's number belongs to, and the key its sender is stored under."""
    namespace = "simulated:" if simulated else ""
    return line.programs.for_number(message.recipient), sender_key(message.sender, line.hash_key, namespace=namespace)


def answer(*, line: Line, message: InboundMessage, simulated: bool = False, now: float | None = None) -> Reply:
    """Answer one verified inbound message, recording it once (the webhook on SQLite: service.group_commit)."""
    program, answered = _understood(line=line, message=message, simulated=simulated, now=now)
    first, saved = None, answered.stored
    if saved:
        try:
            # A MessageSid Twilio delivers again is found when its record is saved: the
            # unique constraint answers "seen before" in the same round trip.
            first = line.store.save(record=answered.record, change=answered.change)
        except StoreUnavailable:
            degraded(step="save")
            saved = False
    return conclude(
        line=line, message=message, program=program, answered=answered, first=first, saved=saved, simulated=simulated
    )


def answer_unsaved(*, line: Line, message: InboundMessage) -> Reply:
    """answer() for a message whose write has just failed: by her state read apart from it (WAL lets
    a read through while another connection holds the write lock), the write spooled."""
    degraded(step="save")
    program, answered = _understood(line=line, message=message, simulated=False, now=None)
    return conclude(
        line=line, message=message, program=program, answered=answered, first=None, saved=False, simulated=False
    )


def _understood(*, line: Line, message: InboundMessage, simulated: bool, now: float | None) -> tuple[Program, Answer]:
    program, key = program_and_key(line=line, message=message, simulated=simulated)
    return program, understand(
        line=line,
        message=message,
        key=key,
        program=program,
        stored=load(line=line, key=key),
        now=time.time() if now is None else now,
        simulated=simulated,
    )


def count(*, reply: Reply, program: Program, channel: str, limited: bool) -> None:
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
def _reply_counters(intent: str, topic: str, locale: str, program: str, channel: str, encoding: str):
    # Looking a labelled child up costs more than counting; the label sets are few.
    return (
        REPLIES.labels(intent=intent, topic=topic, locale=locale, program=program, channel=channel),
        SEGMENTS.labels(program=program, encoding=encoding),
    )
