"""Group commit for the webhook on SQLite: the messages of one event-loop turn share one COMMIT.

A COMMIT costs more than all of a message's statements together (bench/: 48 µs
against ~20 µs), so the messages that reach save() in the same turn of the
event loop are written in one transaction when the loop comes round again.
Each webhook call still answers only after the COMMIT holding its record:
a 200 always means recorded, kill -9 or not.

A sender's messages take turns: the next waits for the previous one's write,
so "LANG ES" then "HER2" is answered in Spanish, as one at a time would be.
"""

from __future__ import annotations

import asyncio

from service.store.records import Change, Record, StoreUnavailable
from service.store.sql import SqlStore


class GroupCommit:
    """Writes of messages that arrive together, committed together, on the event loop."""

    def __init__(self, store: SqlStore):
        self.store = store
        self._waiting: list[tuple[Record, Change, asyncio.Future]] = []
        # Each sender's latest message in flight: the next one waits for it.
        self._turns: dict[str, asyncio.Future] = {}
        self.commits = 0  # transactions committed, for the benchmark's average group size

    async def take_turn(self, key: str) -> asyncio.Future:
        """Wait until the sender's earlier messages are written; end_turn() with what this returns."""
        earlier = self._turns.get(key)
        mine = asyncio.get_running_loop().create_future()
        self._turns[key] = mine
        if earlier is not None:
            try:
                await asyncio.wait((earlier,))
            except BaseException:  # cancelled while waiting: her later messages must not wait for this one
                self.end_turn(key, mine)
                raise
        return mine

    def end_turn(self, key: str, mine: asyncio.Future) -> None:
        """Let the sender's next message go on."""
        mine.set_result(None)
        if self._turns.get(key) is mine:
            del self._turns[key]

    def save(self, *, record: Record, change: Change) -> asyncio.Future:
        """A future of what SqlStore.save returns (StoreUnavailable as its exception), set after the COMMIT."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._commit)
        self._waiting.append((record, change, future))
        return future

    def _commit(self) -> None:
        group, self._waiting = self._waiting, []
        try:
            results = self.store.save_many([(record, change) for record, change, _ in group])
        except StoreUnavailable as error:
            if error.transient or len(group) == 1:
                for *_, future in group:
                    _settle(future, error=StoreUnavailable(*error.args, transient=error.transient))
                return
            # One message's write was refused for good: the rest must not share its fate.
            for record, change, future in group:
                self._commit_alone(record, change, future)
            return
        self.commits += 1
        for (*_, future), result in zip(group, results):
            _settle(future, result=result)

    def _commit_alone(self, record: Record, change: Change, future: asyncio.Future) -> None:
        try:
            _settle(future, result=self.store.save(record=record, change=change))
        except StoreUnavailable as error:
            _settle(future, error=error)


def _settle(future: asyncio.Future, *, result=None, error: BaseException | None = None) -> None:
    if future.done():  # its caller went away (cancelled): the write stands all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
