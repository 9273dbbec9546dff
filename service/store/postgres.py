"""The PostgreSQL unit of work: a group of messages in one transaction and a handful of round trips.

Per group: one query reads every sender's state, one pipelined executemany
(psycopg sends all its statements before reading any answer) records every
message and updates its sender, and one COMMIT. A connection from the pool runs
it in a worker thread while the event loop gathers the next group.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from service.store import outbox
from service.store import statements as sql
from service.store.dialect import POSTGRES
from service.store.errors import database_errors
from service.store.records import Change, Record, SubscriberState
from service.store.unit import Saved
from service.store.written import records_written

POOL_SIZE = 4
LOAD_STATES = f"SELECT key, {', '.join(sql.STATE_COLUMNS)} FROM subscribers WHERE key = ANY(%(keys)s)"
GET_RECORDS = f"SELECT {', '.join(sql.RECORD_COLUMNS)} FROM records WHERE message_sid = ANY(%(sids)s)"
# The record and the sender's update in one statement, so a group's statements need no answer
# in between: the update runs only when the record was new (a MessageSid seen before changes
# nothing), and no row back means "seen before". Casts: the values are not in a VALUES list, so
# PostgreSQL cannot take their types from the columns.
SAVE = sql.pyformat(
    "WITH inserted AS ("
    + sql.INSERT_RECORD
    + " RETURNING 1) "
    + sql.UPSERT_SUBSCRIBER.replace(
        "VALUES (:key, :new_locale, :opted_out, :opted_at, :at, :sent, :at, :sent, :at)",
        "SELECT :key, CAST(:new_locale AS text), :opted_out, CAST(:opted_at AS double precision), "
        ":at, :sent, :at, :sent, :at WHERE EXISTS (SELECT 1 FROM inserted)",
    )
)
# Twilio waits 15 s for a reply: a statement stuck behind a lock, or a transaction a vanished
# client left open, must fail fast and let the line answer without the database instead.
SESSION = "SET statement_timeout = 3000; SET lock_timeout = 2000; SET idle_in_transaction_session_timeout = 10000"
# Keepalives notice a database host that vanished without closing the connection.
CONNECT = {"connect_timeout": 2, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}


# Every unit opened in this process, so a test session (or an embedding program) can close them all.
OPENED: weakref.WeakSet[PostgresUnit] = weakref.WeakSet()


def conninfo(url: str) -> str:
    """A libpq URL from SQLAlchemy's (postgresql+psycopg://)."""
    return "postgresql://" + url.split("://", 1)[1]


def _configure(connection: psycopg.Connection) -> None:
    connection.execute(SESSION)
    connection.commit()


class PostgresTransaction:
    def __init__(self, connection: psycopg.Connection):
        self._connection = connection
        self._created_at = datetime.datetime.now(datetime.UTC)

    def states(self, keys: Collection[str]) -> dict[str, SubscriberState]:
        """The senders' states, in one query."""
        rows = self._connection.execute(LOAD_STATES, {"keys": list(keys)}).fetchall()
        found = {row[0]: sql.state_of(row[1:]) for row in rows}
        return {key: found.get(key) or SubscriberState() for key in keys}

    def save(self, items: Sequence[tuple[Record, Change]]) -> list[Saved]:
        """Every record and change in one pipelined batch; then the first records of any seen before."""
        params = [
            sql.record_values(record, record.created_at or self._created_at)
            | sql.subscriber_values(record.sender_key, change)
            for record, change in items
        ]
        cursor = self._connection.cursor()
        cursor.executemany(SAVE, params, returning=True)
        rows = []
        for _ in items:
            rows.append(cursor.fetchone())
            cursor.nextset()
        firsts = self._firsts([record.message_sid for (record, _), row in zip(items, rows, strict=True) if not row])
        new = [item for item, row in zip(items, rows, strict=True) if row]
        records_written(self._connection.cursor(), POSTGRES, new=new, day=self._created_at.date().isoformat())
        return [
            Saved(first=None, after=sql.state_of(row)) if row else Saved(first=firsts[record.message_sid], after=None)
            for (record, _), row in zip(items, rows, strict=True)
        ]

    def queue(self, items: Sequence[outbox.Queued]) -> None:
        """Write replies to the outbox (a message id already there queues nothing)."""
        outbox.queue(self._connection.cursor(), POSTGRES, items)

    def _firsts(self, sids: list[str]) -> dict[str, Record]:
        if not sids:
            return {}
        rows = self._connection.execute(GET_RECORDS, {"sids": sids}).fetchall()
        return {row[0]: sql.record_of(row) for row in rows}


class PostgresUnit:
    """Units of work on a PostgreSQL database, over a small pool of connections."""

    sqlite = False

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE):
        self.url, self.pool_size = url, pool_size
        self._pool = self._new_pool()
        self._opened = False

    def _new_pool(self) -> ConnectionPool:
        # One worker thread: it only opens connections in the background, and each pool is per process.
        return ConnectionPool(
            conninfo(self.url), min_size=1, max_size=self.pool_size, timeout=2, open=False, configure=_configure,
            kwargs=CONNECT, num_workers=1,
        )  # fmt: skip

    def _connection(self) -> Any:
        if not self._opened:
            # Opened at first use, without waiting for a connection: a database away at start
            # is found by that use, which degrades instead of failing the start.
            self._pool.open(wait=False)
            self._opened = True
            OPENED.add(self)
        return self._pool.connection()

    @contextmanager
    def begin(self) -> Iterator[PostgresTransaction]:
        """One transaction; committed when the block ends, rolled back if it raises."""
        with database_errors(), self._connection() as connection:
            yield PostgresTransaction(connection)

    def peek(self, keys: Collection[str]) -> dict[str, SubscriberState]:
        """The senders' states in a read of its own."""
        with self.begin() as transaction:
            return transaction.states(keys)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[psycopg.Cursor]:
        """A cursor in one transaction."""
        with database_errors(), self._connection() as connection, connection.cursor() as cursor:
            yield cursor

    def scalar(self, query: str, params: dict[str, object] | None = None) -> object:
        """The first column of the first row of one query."""
        with self.transaction(write=False) as cursor:
            row = cursor.execute(sql.pyformat(query), params or {}).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Close the pool."""
        if self._opened:
            self._pool.close()
            # A closed pool cannot open again; a later use (a test reading after its app stopped) gets a new one.
            self._pool, self._opened = self._new_pool(), False
