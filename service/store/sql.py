"""The store: SQLite (WAL) by default, PostgreSQL for several replicas.

The per-message methods run plain statements (service.store.direct); the rest
(purge, counts) use SQLAlchemy, loaded when first asked for.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable

from service.core.types import Subscriber
from service.store.base import run
from service.store.direct import RECORD_COLUMNS, Direct
from service.store.migrate import upgrade
from service.store.records import HOUR, Change, Record, SubscriberState

# Connections per worker to PostgreSQL; the webhook runs as many threads at it.
POOL_SIZE = 8


def _subscriber_values(key: str, change: Change) -> dict:
    sent = 1 if change.replied else 0
    return {
        "key": key,
        "locale": change.locale,
        "at": change.at,
        "sent": sent,
        "window_since": change.at - change.window_seconds,
        "hour_since": change.at - HOUR,
        "opt_given": change.opted_out is not None,
        "opted_out": bool(change.opted_out),
        "opted_at": change.at if change.opted_out is not None else None,
    }


_record_values = operator.attrgetter(*RECORD_COLUMNS)


def _state(row: tuple | None) -> SubscriberState:
    if row is None:
        return SubscriberState()
    locale, opted_out, opted_changed_at, window_start, window_count, hour_start, hour_count = row
    return SubscriberState(
        subscriber=Subscriber(locale=locale, opted_out=bool(opted_out)),
        opted_changed_at=opted_changed_at,
        window_start=window_start,
        window_count=window_count,
        hour_start=hour_start,
        hour_count=hour_count,
    )


class SqlStore:
    """Subscriber state and records; every method is one short transaction, but load_in and
    save_in, which run in one of write_transaction() (service.group_commit: many messages in one).

    inline: whether a call is quick and local enough to run on the event loop
    (SQLite, one writer at a time); PostgreSQL calls go to worker threads.
    """

    def __init__(self, url: str):
        self.url = url
        self.direct = Direct(url, engine=lambda: self.engine)
        self.inline = self.direct.sqlite
        self.pool_size = POOL_SIZE

    @functools.cached_property
    def engine(self):
        """A SQLAlchemy engine on the same database, made at first use."""
        from service.store.engine import make_engine

        return make_engine(self.url, pool_size=self.pool_size)

    def _run(self, work: Callable, *, write: bool = False):
        return run(self.engine, work, write=write)

    def load(self, *, sender_key: str) -> SubscriberState:
        """What the line remembers of a sender (defaults for a new one)."""
        return _state(self.direct.fetchone(self.direct.sql["load"], {"key": sender_key}))

    def find(self, *, message_sid: str) -> Record | None:
        """The record of a message, if it was handled."""
        row = self.direct.fetchone(self.direct.sql["record"], {"message_sid": message_sid})
        return Record(**dict(zip(RECORD_COLUMNS, row, strict=True))) if row else None

    def save(self, *, record: Record, change: Change) -> Record | None:
        """Record a message and apply its change, once per MessageSid; a duplicate returns the first record."""
        with self.direct.transaction(write=True) as cursor:
            return self.save_in(cursor, record=record, change=change)[0]

    def load_in(self, cursor, *, sender_key: str) -> SubscriberState:
        """load() inside a transaction of write_transaction()."""
        cursor.execute(self.direct.sql["load"], {"key": sender_key})
        return _state(cursor.fetchone())

    def save_in(
        self, cursor, *, record: Record, change: Change, stamp=None
    ) -> tuple[Record | None, SubscriberState | None]:
        """save() inside a transaction of write_transaction(): (the first record of a duplicate, or None;
        the sender's state after the change, or None for a duplicate). stamp: stamp() for a record
        without created_at (one for a whole transaction)."""
        values = dict(zip(RECORD_COLUMNS, _record_values(record), strict=True))
        values["created_at"] = self.stamp(record.created_at) if record.created_at or stamp is None else stamp
        cursor.execute(self.direct.sql["insert"], values)
        if cursor.rowcount == 0:  # the MessageSid was there already
            cursor.execute(self.direct.sql["record"], {"message_sid": record.message_sid})
            return Record(**dict(zip(RECORD_COLUMNS, cursor.fetchone(), strict=True))), None
        cursor.execute(self.direct.sql["upsert"], _subscriber_values(record.sender_key, change))
        return None, _state(cursor.fetchone())

    def write_transaction(self):
        """A cursor in one write transaction (a context manager); trouble comes out as StoreUnavailable."""
        return self.direct.transaction(write=True)

    def stamp(self, moment: datetime.datetime | None = None):
        """A record's created_at as this database takes it (now when moment is None)."""
        moment = moment or datetime.datetime.now(datetime.UTC)
        # SQLAlchemy's own SQLite format, so its queries (usage, purge) read these rows alike.
        if self.inline:
            return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return moment

    def purge(self, *, before: datetime.datetime) -> int:
        """Delete records older than `before`; subscriber state stays."""
        from sqlalchemy import delete

        from service.store.schema import records

        return self._run(lambda c: c.execute(delete(records).where(records.c.created_at < before)).rowcount, write=True)

    def count_records(self) -> int:
        """How many records there are."""
        return self.direct.scalar("SELECT count(*) FROM records")

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""
        self.direct.scalar("SELECT 1")


def open_store(url: str) -> SqlStore:
    """A store on url, its database migrated to the newest schema."""
    store = SqlStore(url)
    upgrade(store)
    return store
