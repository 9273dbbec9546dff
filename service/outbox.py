"""The outbox's sender: replies a gateway sends later (Africa's Talking SMS), sent from inside the service.

Rows are claimed only as a send slot frees (so a process killed mid-send leaves unknown only what it
was sending, never what it had merely fetched), sent concurrently, and settled in small batches:
- taken: `sent`, with the gateway's id (for its receipts) and cost;
- refused (4xx, or the gateway refused this recipient): `failed`, final;
- trouble (network, timeout, 5xx): retried with exponential backoff and jitter, first retry within 5 s,
  until OUTBOX_DEAD_AFTER_SECONDS after the message; then `dead`, shown in the admin;
- unsure (the gateway may have taken it): `unknown`, never sent again: two texts cost twice and say
  the same thing twice; one missing she can ask for again.
A sender that held a claim longer than its lease (killed, its host lost) left `unknown` rows too.
Several workers or replicas never claim one row twice (service.store.outbox.claim).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Sequence
from typing import Any

from anyio import to_thread

from service.channels.africastalking_api import AfricasTalkingApi, Outgoing
from service.channels.africastalking_results import Refusal, SendResult, Sent, Unsure
from service.observability import OUTBOX_SENDS
from service.sealed import Sealer
from service.store import outbox
from service.store.dialect import dialect_of
from service.store.outbox import Claimed
from service.store.records import StoreUnavailable
from service.store.unit import UnitOfWork

log = logging.getLogger("service.outbox")
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 300.0
# How often a sender looks without being woken: other replicas' rows, retries come due, lost claims.
LOOK_EVERY_SECONDS = 1.0
SETTLE_AT_MOST = 256
SETTLE_GATHER_SECONDS = 0.005


def backoff(attempts: int, *, rand: float | None = None) -> float:
    """Seconds before try attempts+1: doubling from 2 s to 5 min, the upper half of it at random (jitter)."""
    ceiling = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return ceiling / 2 * (1 + (random.random() if rand is None else rand))


class Sender:
    """Sends what the outbox holds through one gateway's API, for as long as the service runs."""

    def __init__(self, *, unit: UnitOfWork, api: AfricasTalkingApi, sealer: Sealer, timeout: float,
                 dead_after: float, concurrency: int) -> None:  # fmt: skip
        self.unit, self.api, self.sealer = unit, api, sealer
        self.dialect = dialect_of(unit)
        self.dead_after, self.concurrency = dead_after, concurrency
        self.claim_at_least = max(1, concurrency // 4)
        # Longer than any send can take: a claim older than this has no living sender.
        self.lease = 3 * timeout + 5
        self.token = secrets.token_hex(8)  # this process's claims
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken = asyncio.Event()
        # Results waiting to be settled, each with the future its send slot waits on.
        self._results: list[tuple[Claimed, SendResult, asyncio.Future[None]]] = []
        self._settling = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Look now (any thread): replies were queued."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._woken.set)

    def stop(self) -> None:
        """Claim no more; run() returns once what is in flight is sent and settled."""
        self._stopping = True
        if self._loop is not None:
            self._woken.set()

    @property
    def stopping(self) -> bool:
        """stop() was called."""
        return self._stopping

    async def run(self) -> None:
        """Claim, send and settle until stopped (then finish what is in flight) or cancelled."""
        self._loop = asyncio.get_running_loop()
        sending: set[asyncio.Task[None]] = set()
        settler = asyncio.create_task(self._settle_forever())
        last_expiry = 0.0
        try:
            while not self._stopping:
                if time.monotonic() - last_expiry >= LOOK_EVERY_SECONDS:
                    last_expiry = time.monotonic()
                    await self._guarded(self._expire)
                free = self.concurrency - len(sending)
                if sending and free < self.claim_at_least:
                    # A claim is a write transaction, which the webhook's groups wait behind: a few rows
                    # at a time, not one each time a slot frees.
                    await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                    continue
                # Cleared before the look, not after: a wake while it looks is not lost.
                self._woken.clear()
                rows = await self._guarded(self._claim, free)
                for row in rows or ():
                    task = asyncio.create_task(self._send(row))
                    sending.add(task)
                    task.add_done_callback(sending.discard)
                if not rows:
                    await self._nap()
            # A restart must not leave what the gateway took unsettled (unknown, its receipt unmatched).
            if sending:
                await asyncio.wait(sending, timeout=self.lease)
        finally:
            settler.cancel()
            for task in sending:
                task.cancel()

    async def _nap(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), LOOK_EVERY_SECONDS)

    async def _guarded(self, work: Any, *args: Any) -> Any:
        """work(*args) in a worker thread; None while the database is away (the next look tries again).
        A write it refuses for good (not transient) is raised: trying it again would never end."""
        try:
            return await to_thread.run_sync(work, *args)
        except StoreUnavailable as error:
            if not error.transient:
                raise
            return None

    def _claim(self, limit: int) -> list[Claimed]:
        with self.unit.transaction(write=True) as cursor:
            return outbox.claim(cursor, self.dialect, token=self.token, now=time.time(), limit=limit)

    def _expire(self) -> None:
        now = time.time()
        with self.unit.transaction(write=True) as cursor:
            lost, dead = outbox.expire(cursor, self.dialect, claimed_before=now - self.lease,
                                       queued_before=now - self.dead_after)  # fmt: skip
        if lost or dead:
            OUTBOX_SENDS.labels(outcome="lost").inc(lost)
            OUTBOX_SENDS.labels(outcome="dead").inc(dead)
            log.warning("outbox rows given up", extra={"unknown": lost, "dead": dead})

    async def _send(self, row: Claimed) -> None:
        try:
            to = self.sealer.open(row.recipient)
        except Exception:  # sealed under another PHONE_HASH_KEY (or altered): nobody can send it
            result: SendResult = Refusal("unsealable")
        else:
            result = await self._call(Outgoing(to=to, message=row.body, sender_id=row.sender_id, link_id=row.link_id))
        # The slot stays taken until the result is settled: a row sent but not yet settled is one a kill
        # would leave unknown, so no more are claimed meanwhile.
        settled = asyncio.get_running_loop().create_future()
        self._results.append((row, result, settled))
        self._settling.set()
        await settled

    async def _call(self, outgoing: Outgoing) -> SendResult:
        try:
            result = await self.api.send(outgoing)
        except Exception as error:  # a bug or a bad AFRICASTALKING_API_URL: the request may have gone
            log.error("sending through the gateway failed", extra={"error": type(error).__name__})
            return Unsure("error")
        if isinstance(result, Refusal) and result.reason in ("http_401", "http_403"):
            log.error("Africa's Talking refused the credentials: check AFRICASTALKING_USERNAME and _API_KEY")
        return result

    async def _settle_forever(self) -> None:
        while True:
            await self._settling.wait()
            # A moment for the results arriving together to share one settling transaction.
            await asyncio.sleep(SETTLE_GATHER_SECONDS)
            self._settling.clear()
            while self._results:
                batch, self._results = self._results[:SETTLE_AT_MOST], self._results[SETTLE_AT_MOST:]
                try:
                    settled = await self._guarded(self._settle, [(row, result) for row, result, _ in batch])
                except Exception as error:  # a bug: these rows' claims lapse to unknown; the sender goes on
                    log.error("settling sends failed", extra={"error": type(error).__name__})
                    settled = True
                if settled is None:
                    self._results[:0] = batch  # the database is away: kept, and tried again shortly
                    await asyncio.sleep(LOOK_EVERY_SECONDS)
                    continue
                for _, _, slot in batch:
                    if not slot.done():
                        slot.set_result(None)

    def _settle(self, batch: Sequence[tuple[Claimed, SendResult]]) -> bool:
        now = time.time()
        with self.unit.transaction(write=True) as cursor:
            # In id order, as every statement that locks several outbox rows takes them (no deadlock).
            for row, result in sorted(batch, key=lambda item: item[0].id):
                self._settle_one(cursor, row, result, now=now)
        return True

    def _settle_one(self, cursor: Any, row: Claimed, result: SendResult, *, now: float) -> None:
        kind = type(result).__name__.lower()
        if isinstance(result, Sent):
            outbox.sent(cursor, self.dialect, row, token=self.token, provider_id=result.provider_id,
                        cost=result.cost, currency=result.currency)  # fmt: skip
        elif isinstance(result, Refusal):
            outbox.failed(cursor, self.dialect, row, token=self.token, reason=result.reason, dead=False)
        elif isinstance(result, Unsure):
            outbox.unsure(cursor, self.dialect, row, token=self.token, reason=result.reason)
        elif now - row.created_at >= self.dead_after:
            kind = "dead"
            outbox.failed(cursor, self.dialect, row, token=self.token, reason=result.reason, dead=True)
        else:
            kind = "retry"
            outbox.retry(cursor, self.dialect, row, token=self.token, reason=result.reason,
                         next_at=now + backoff(row.attempts))  # fmt: skip
        OUTBOX_SENDS.labels(outcome=kind).inc()
