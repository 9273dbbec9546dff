"""What a unit of work offers the flow: many messages read and written in one transaction.

Each backend has its own (service.store.sqlite, service.store.postgres); the flow
(service.flow) is written once against this.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, NamedTuple, Protocol

from service.store.outbox import Queued
from service.store.records import Change, Record, SubscriberState


class Saved(NamedTuple):
    """One message's write: the first record of a MessageSid seen before, else the sender's state after it."""

    first: Record | None
    after: SubscriberState | None


class Transaction(Protocol):
    def states(self, keys: Collection[str]) -> dict[str, SubscriberState]:
        """The senders' states as this transaction sees them (defaults for new senders)."""
        ...

    def save(self, items: Sequence[tuple[Record, Change]]) -> list[Saved]:
        """Record messages of distinct senders and apply their changes, each MessageSid once (the new ones
        counted in the daily rollups, an opt-out's queued replies cancelled: service.store.written)."""
        ...

    def queue(self, items: Sequence[Queued]) -> None:
        """Write replies to the outbox; a message id already there queues nothing new."""
        ...


class UnitOfWork(Protocol):
    # SQLite: a transaction is quick and local enough to run on the event loop.
    sqlite: bool

    def begin(self) -> AbstractContextManager[Transaction]:
        """One write transaction for a group of messages; StoreUnavailable when the database cannot."""
        ...

    def peek(self, keys: Collection[str]) -> dict[str, SubscriberState]:
        """The senders' states read outside any write (while the write lock is held elsewhere)."""
        ...

    def transaction(self, *, write: bool) -> AbstractContextManager[Any]:
        """A DBAPI cursor in one transaction, for the store's other tables."""
        ...

    def scalar(self, sql: str, params: dict[str, object] | None = None) -> Any:
        """The first column of the first row of one query written with :name placeholders."""
        ...

    def close(self) -> None:
        """Close this process's connections."""
        ...


def in_rounds(keys: Sequence[str]) -> Iterator[list[int]]:
    """Indexes of keys in rounds where each key appears once, in order: a sender's second message in
    a group is answered by the state her first left."""
    pending = list(range(len(keys)))
    while pending:
        seen: set[str] = set()
        round_: list[int] = []
        rest: list[int] = []
        for index in pending:
            (rest if keys[index] in seen else round_).append(index)
            seen.add(keys[index])
        yield round_
        pending = rest
