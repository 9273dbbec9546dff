"""The webhook on embedded SQLite: messages that arrive together answered in one transaction.

A COMMIT costs more than all of a message's statements together (bench/), so
the messages that arrive within a few turns of the event loop are read,
answered and written in one transaction (about 30 of the benchmark's 32 in
flight). Each webhook call still answers only after the COMMIT holding its
record: a 200 always means recorded, kill -9 or not. Inside the transaction
the messages go one by one, so a sender's "LANG ES" and "HER2" in the same
group are answered as one at a time would be.

Senders' states are kept in memory between groups, as the group's COMMIT left
them, and read again whenever anything else has written to the database since:
another connection (another worker, the admin, the spool's drain, the CLI) or
this one outside a group.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from service.answer import answer_unsaved, conclude, program_and_key, understand
from service.core import InboundMessage, Reply
from service.store.records import StoreUnavailable, SubscriberState

if TYPE_CHECKING:
    from service.line import Line

# Turns of the event loop a group stays open after its first message.
GATHER_TURNS = 5
# Senders whose state is kept between groups; past it the memory starts again (~300 bytes each).
KEPT_STATES = 20_000


class GroupCommit:
    """Answers messages that arrive together in one SQLite transaction, on the event loop (one at a time:
    uvicorn's worker has one)."""

    def __init__(self, line: Line):
        self.line = line
        self._waiting: list[tuple[InboundMessage, asyncio.Future]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._states: dict[str, SubscriberState] = {}
        self._version: tuple[int, int, int] | None = None
        self.commits = 0  # transactions committed (tests count them)

    def answer(self, message: InboundMessage) -> asyncio.Future:
        """A future of the message's Reply, set once its record is committed (or spooled)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if self._waiting and self._loop is not loop and not self._loop.is_running():
            # The loop the waiting group belonged to has stopped (a test's, a CLI's): nobody waits for it.
            self._waiting = []
        if not self._waiting:
            self._loop = loop
            loop.call_soon(self._run_after, GATHER_TURNS)
        self._waiting.append((message, future))
        return future

    def _run_after(self, turns: int) -> None:
        # Each turn of the loop reads what has arrived and lets it reach answer(): the group
        # closes after a few, so one COMMIT serves more messages (bench/: 7,500 -> 8,600 a second).
        if turns:
            asyncio.get_running_loop().call_soon(self._run_after, turns - 1)
            return
        group, self._waiting = self._waiting, []
        self._settle(group)

    def _settle(self, group: list[tuple[InboundMessage, asyncio.Future]]) -> None:
        try:
            replies = self._answer_all([message for message, _ in group])
        except Exception as error:  # a bug, not the database: its callers fail rather than wait forever
            if len(group) > 1:  # and only the message that meets it fails; the others go alone
                for one in group:
                    self._settle([one])
                return
            replies = [error]
        for (_, future), reply in zip(group, replies, strict=True):
            if future.done():  # its caller went away: the record stands all the same
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    def _answer_all(self, messages: list[InboundMessage]) -> list[Reply]:
        try:
            return self._in_one_transaction(messages)
        except StoreUnavailable as error:
            if not error.transient and len(messages) > 1:
                # One message's write was refused for good: the rest must not share its fate.
                return [reply for message in messages for reply in self._answer_all([message])]
            return [answer_unsaved(line=self.line, message=message) for message in messages]

    def _in_one_transaction(self, messages: list[InboundMessage]) -> list[Reply]:
        line, now, done, states = self.line, time.time(), [], {}
        stamp, spool_pending = line.store.stamp(), line.spool.pending()
        with line.store.write_transaction() as cursor:
            data_version = self._forget_if_changed_elsewhere(cursor)
            for message in messages:
                program, key = program_and_key(line=line, message=message)
                stored = states.get(key) or self._states.get(key) or line.store.load_in(cursor, sender_key=key)
                answered = understand(
                    line=line,
                    message=message,
                    key=key,
                    program=program,
                    stored=stored,
                    now=now,
                    simulated=False,
                    spool_pending=spool_pending,
                )
                first, after = line.store.save_in(cursor, record=answered.record, change=answered.change, stamp=stamp)
                states[key] = after or stored
                done.append((message, program, answered, first))
        # Committed: only now do the states reach memory (a rolled-back transaction's never do).
        self._keep(states, _version(cursor.connection, data_version))
        self.commits += 1
        return [
            conclude(
                line=line, message=message, program=program, answered=answered, first=first, saved=True, simulated=False
            )
            for message, program, answered, first in done
        ]

    def _forget_if_changed_elsewhere(self, cursor) -> int:
        """Forget the states kept if anything wrote since the last group; the data_version read."""
        cursor.execute("PRAGMA data_version")
        data_version = cursor.fetchone()[0]
        if _version(cursor.connection, data_version) != self._version:
            self._states.clear()
        return data_version

    def _keep(self, states: dict[str, SubscriberState], version: tuple[int, int, int]) -> None:
        if len(self._states) + len(states) > KEPT_STATES:
            self._states.clear()
        self._states.update(states)
        self._version = version


def _version(connection, data_version: int) -> tuple[int, int, int]:
    # PRAGMA data_version moves when another connection commits, never for this one's own
    # COMMITs; total_changes counts this one's writes, in a group or not. Both are the
    # connection's own counts, so the connection is part of the version. Read after a
    # group's COMMIT, total_changes includes that group's writes (data_version was read
    # inside its transaction, when nobody else could write).
    return id(connection), data_version, connection.total_changes
