"""Messages that arrive together handed to the flow as one group, one group at a time.

Each turn of the event loop reads what has arrived on the open connections; a
group stays open a few turns after its first message, so one transaction serves
about 30 of the benchmark's 32 messages in flight. SQLite's group runs on the
loop itself (a local file: quicker than a hand-off to a thread); PostgreSQL's in
a worker thread, while the loop reads the next groups (a few in flight at once, each
on its own connection: PostgreSQL commits them together, one WAL flush for several).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence

from anyio import to_thread

from service.core import InboundMessage, Reply

# Turns of the event loop a group stays open after its first message.
GATHER_TURNS = 5
# Larger groups add latency to their first message for no fewer round trips.
MAX_GROUP = 256

Handler = Callable[[Sequence[InboundMessage]], list[Reply]]
Waiting = list[tuple[InboundMessage, "asyncio.Future[Reply]"]]


class Batcher:
    """answer(message) -> a future Reply, set once the group holding it is recorded (or spooled)."""

    def __init__(self, handle: Handler, *, inline: bool, in_flight: int = 1):
        self._handle, self._inline, self._in_flight = handle, inline, in_flight
        self._waiting: Waiting = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due = False  # the waiting group's turns are over: it goes as soon as the running one is done
        self._running = 0  # groups in worker threads now
        self.groups = 0  # groups handled (tests count them)

    def answer(self, message: InboundMessage) -> asyncio.Future[Reply]:
        """A future of the message's Reply."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (a test's, a CLI's): nobody waits on the old one's
            self._loop, self._waiting, self._due, self._running = loop, [], False, 0
        future: asyncio.Future[Reply] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._close_after, GATHER_TURNS)
        self._waiting.append((message, future))
        if len(self._waiting) >= MAX_GROUP:
            self._due = True
            self._start_if_free()
        return future

    def _close_after(self, turns: int) -> None:
        if turns and not self._due:
            asyncio.get_running_loop().call_soon(self._close_after, turns - 1)
            return
        self._due = bool(self._waiting)
        self._start_if_free()

    def _start_if_free(self) -> None:
        while self._due and self._running < self._in_flight:
            # At most MAX_GROUP at once: what waits beyond it is due at once, as the next group.
            group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
            self._due = bool(self._waiting)
            if self._inline:
                _settle(group, self._answers(group))
                continue
            self._running += 1
            task = asyncio.get_running_loop().create_task(to_thread.run_sync(self._answers, group))
            task.add_done_callback(functools.partial(self._done, group))

    def _done(self, group: Waiting, task: asyncio.Task[list[Reply | Exception]]) -> None:
        self._running -= 1
        if task.cancelled():
            _settle(group, [RuntimeError("the group was cancelled")] * len(group))
        else:
            _settle(group, task.result())
        if self._waiting and not self._due:
            return  # its turns are still counting
        self._due = bool(self._waiting)
        self._start_if_free()

    def _answers(self, group: Waiting) -> list[Reply | Exception]:
        self.groups += 1
        messages = [message for message, _ in group]
        try:
            return list(self._handle(messages))
        except Exception as error:  # a bug, not the database: only the message that meets it fails
            if len(group) == 1:
                return [error]
            return [answer for one in group for answer in self._answers([one])]


def _settle(group: Waiting, answers: list[Reply | Exception]) -> None:
    for (_, future), answer in zip(group, answers, strict=True):
        if future.done():  # its caller went away: the record stands all the same
            continue
        if isinstance(answer, Exception):
            future.set_exception(answer)
        else:
            future.set_result(answer)
