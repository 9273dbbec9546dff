"""handle(messages): verified messages through store, core and store again — once, for every backend.

Messages that arrive together share one unit of work (service.store.sqlite or
.postgres): their senders' states read together, each answered by the pure core
in arrival order, all recorded in one transaction. A reply goes out only after
the COMMIT holding its record: a 200 always means recorded. When the database is
away, content is still answered from what can be read, and what must not be lost
(opt-outs and opt-ins first, every record with them) goes to the spool.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.core import InboundMessage, Reply
from service.observability import DEGRADED
from service.privacy import SenderHasher
from service.replies import Answer, answer_by_state, finish, replay
from service.sealed import Sealer
from service.snapshot import ContentSnapshot, LiveContent
from service.store.outbox import Queued
from service.store.records import Record, StoreUnavailable, SubscriberState
from service.store.spool import Spool
from service.store.unit import Transaction, UnitOfWork, in_rounds

log = logging.getLogger("service.flow")
WARN_EVERY_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Flow:
    """What handle() needs, handed in: the store's unit of work, the spool, the hasher and the content."""

    unit: UnitOfWork
    spool: Spool
    hasher: SenderHasher
    content: LiveContent
    # Seals the numbers of replies queued for a gateway to send later (service.outbox).
    sealer: Sealer
    # Told after a COMMIT that queued replies: the sender need not wait for its next look.
    on_queued: Callable[[], None] = lambda: None

    def handle(
        self, messages: Sequence[InboundMessage], *, simulated: bool = False, now: float | None = None
    ) -> list[Reply]:
        """Answer messages that arrived together, in order, each recorded once (or spooled)."""
        now = time.time() if now is None else now
        snapshot = self.content.snapshot
        keys = [self.hasher.key(message.sender, simulated=simulated) for message in messages]
        try:
            return self._in_one_transaction(messages, keys, snapshot, now=now, simulated=simulated)
        except StoreUnavailable as error:
            if len(messages) > 1 and (not error.transient or error.retry_now):
                # One message's write refused for good (or a deadlock): the rest must not share its fate.
                return [reply for one in messages for reply in self.handle([one], simulated=simulated, now=now)]
            return self._without_store(messages, keys, snapshot, now=now, simulated=simulated)

    def _answer(
        self, message: InboundMessage, key: str, stored: SubscriberState | None, snapshot: ContentSnapshot, *,
        now: float, simulated: bool, spooled: bool,
    ) -> Answer:  # fmt: skip
        program = snapshot.programs.for_number(message.recipient)
        spool = self.spool if spooled else None
        return answer_by_state(message=message, key=key, program=program, stored=stored, now=now,
                               simulated=simulated, spool=spool, snapshot=snapshot)  # fmt: skip

    def _in_one_transaction(
        self, messages: Sequence[InboundMessage], keys: list[str], snapshot: ContentSnapshot, *, now: float,
        simulated: bool,
    ) -> list[Reply]:  # fmt: skip
        spooled = self.spool.pending()
        answers: dict[int, tuple[Answer, Record | None]] = {}
        queued: set[int] = set()
        with self.unit.begin() as transaction:
            states = transaction.states(set(keys))
            for round_ in in_rounds(keys):
                round_.sort(key=keys.__getitem__)  # one lock order for every transaction (PostgreSQL)
                these = [self._answer(messages[i], keys[i], states[keys[i]], snapshot, now=now, simulated=simulated,
                                      spooled=spooled) for i in round_]  # fmt: skip
                results = transaction.save([(answer.record, answer.change) for answer in these])
                for i, answer, result in zip(round_, these, results, strict=True):
                    answers[i] = (answer, result.first)
                    states[keys[i]] = result.after or states[keys[i]]
                    if self._send_later(transaction, messages[i], answer, result.first, snapshot, now=now):
                        queued.add(i)
        if queued:
            self.on_queued()
        replies = [
            finish(answer=answer, first=first, saved=True, spool=self.spool, snapshot=snapshot, simulated=simulated)
            for answer, first in (answers[i] for i in range(len(messages)))
        ]
        return [dataclasses.replace(reply, queued=True) if i in queued else reply for i, reply in enumerate(replies)]

    def _send_later(
        self, transaction: Transaction, message: InboundMessage, answer: Answer, first: Record | None,
        snapshot: ContentSnapshot, *, now: float,
    ) -> bool:  # fmt: skip
        """A reply a gateway sends later is queued (a message delivered again queues its first reply, if that
        one never was). True when a reply is queued. (Her STOP has cancelled what was queued for her: save.)"""
        record = answer.record
        if not message.send_via or record.simulated:
            return False
        reply = answer.reply if first is None else replay(record=first, program=answer.program, snapshot=snapshot,
                                                          opted_out=answer.opted_out)  # fmt: skip
        if reply.body is None:
            return False
        transaction.queue([Queued(
            message_sid=message.message_id, gateway=message.send_via, program=answer.program.id,
            sender_key=record.sender_key, recipient=self.sealer.seal(message.sender), body=reply.body,
            sender_id=message.recipient, link_id=message.link_id, at=now, replayed=first is not None,
        )])  # fmt: skip
        return True

    def _without_store(
        self, messages: Sequence[InboundMessage], keys: list[str], snapshot: ContentSnapshot, *, now: float,
        simulated: bool,
    ) -> list[Reply]:  # fmt: skip
        """Answered by the states that can still be read (WAL lets a read through a held write lock), the
        writes spooled."""
        degraded(step="save", count=len(messages))
        try:
            states: dict[str, SubscriberState] = self.unit.peek(set(keys))
        except StoreUnavailable:
            degraded(step="load", count=len(messages))
            states = {}
        spooled = self.spool.pending()
        replies = []
        for message, key in zip(messages, keys, strict=True):
            answer = self._answer(message, key, states.get(key), snapshot, now=now, simulated=simulated,
                                  spooled=spooled)  # fmt: skip
            replies.append(
                finish(answer=answer, first=None, saved=False, spool=self.spool, snapshot=snapshot, simulated=simulated)
            )
            spooled = True
        return replies


_last_warning = [0.0]


def degraded(*, step: str, count: int = 1) -> None:
    """Count (and now and then say) that messages are answered without the database."""
    DEGRADED.labels(step=step).inc(count)
    # One warning per interval: an outage under load would otherwise write a line per message.
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        log.warning("store unavailable: answering without it", extra={"degraded": True})
