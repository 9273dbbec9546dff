"""The SQLite unit of work: a group of messages in one transaction, on the event loop.

A COMMIT costs more than all of a message's statements together (bench/), so
the messages that arrive together share one. Senders' states are kept in memory
between groups, as the group's COMMIT left them, and read again whenever anything
else has written to the database since: another connection (another worker, the
admin, the spool's drain, the CLI) or this one outside a group.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from service.store import outbox
from service.store import statements as sql
from service.store.dialect import SQLITE
from service.store.errors import database_errors
from service.store.records import Change, Record, SubscriberState
from service.store.unit import Saved
from service.store.written import records_written

# The per-message connection runs on the event loop: it (and the loop with it) waits at
# most a second for another process's write lock, then the line answers by the state it
# can read and spools the write.
MESSAGE_BUSY_MS = 1000
CHECKPOINT_PAGES = 300
# Senders whose state is kept between groups; past it the memory starts again (~300 bytes each).
KEPT_STATES = 20_000


def sqlite_pragmas(busy_ms: int) -> tuple[str, ...]:
    """WAL lets readers go on while one writer commits; NORMAL sync is durable across process crashes,
    the failure a webhook server sees. A checkpoint every 300 pages, not SQLite's 1,000, run by the
    writer itself: a small WAL stays in caches and is searched fast (checkpoints in a thread of their own
    could not keep up under load: the WAL grew to 180 MB in seconds)."""
    return (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        f"PRAGMA busy_timeout={busy_ms}",
        f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}",
    )


def stamp(moment: datetime.datetime) -> str:
    """created_at in SQLAlchemy's own SQLite format, so its queries (usage, purge) read these rows alike."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _read_state(reader: sqlite3.Connection | sqlite3.Cursor, key: str) -> SubscriberState:
    return sql.state_of(reader.execute(sql.LOAD_SUBSCRIBER, {"key": key}).fetchone())


@dataclass
class _Local:
    """One thread's connection and the states it has seen committed."""

    connection: sqlite3.Connection
    states: dict[str, SubscriberState] = field(default_factory=dict)
    version: tuple[int, int] | None = None


class SqliteTransaction:
    def __init__(self, cursor: sqlite3.Cursor, kept: dict[str, SubscriberState], created_at: str):
        self._cursor, self._kept, self._created_at = cursor, kept, created_at
        self.seen: dict[str, SubscriberState] = {}

    def states(self, keys: Collection[str]) -> dict[str, SubscriberState]:
        """The senders' states: kept in memory, else read."""
        found = {}
        for key in keys:
            state = self.seen.get(key) or self._kept.get(key)
            if state is None:
                state = _read_state(self._cursor, key)
            found[key] = self.seen[key] = state
        return found

    def save(self, items: Sequence[tuple[Record, Change]]) -> list[Saved]:
        """Insert each record; apply its change unless its MessageSid was there already; count the new."""
        saved = [self._save_one(record, change) for record, change in items]
        new = [item for item, one in zip(items, saved, strict=True) if one.first is None]
        records_written(self._cursor, SQLITE, new=new, day=self._created_at[:10])
        return saved

    def queue(self, items: Sequence[outbox.Queued]) -> None:
        """Write replies to the outbox (a message id already there queues nothing)."""
        outbox.queue(self._cursor, SQLITE, items)

    def _save_one(self, record: Record, change: Change) -> Saved:
        created = stamp(record.created_at) if record.created_at else self._created_at
        self._cursor.execute(sql.INSERT_RECORD, sql.record_values(record, created))
        if self._cursor.rowcount == 0:  # the MessageSid was there already
            row = self._cursor.execute(sql.GET_RECORD, {"message_sid": record.message_sid}).fetchone()
            return Saved(first=sql.record_of(row), after=None)
        self._cursor.execute(sql.UPSERT_SUBSCRIBER, sql.subscriber_values(record.sender_key, change))
        after = sql.state_of(self._cursor.fetchone())
        self.seen[record.sender_key] = after
        return Saved(first=None, after=after)


class SqliteUnit:
    """Units of work on one SQLite file: a connection per thread (the event loop's, the drain's, the CLI's)."""

    sqlite = True

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection."""
        return self._mine().connection

    def _mine(self) -> _Local:
        mine: _Local | None = getattr(self._local, "mine", None)
        if mine is None:
            connection = sqlite3.connect(self.path, timeout=1, isolation_level=None, check_same_thread=False)
            for pragma in sqlite_pragmas(MESSAGE_BUSY_MS):
                connection.execute(pragma)
            mine = self._local.mine = _Local(connection)
        return mine

    @contextmanager
    def begin(self) -> Iterator[SqliteTransaction]:
        """One write transaction; the states it saw reach memory only once it has committed."""
        with database_errors():
            mine = self._mine()
            with self._write(mine.connection) as cursor:
                version = self._forget_if_changed_elsewhere(mine, cursor)
                now = stamp(datetime.datetime.now(datetime.UTC))
                transaction = SqliteTransaction(cursor, mine.states, now)
                yield transaction
            self._keep(mine, transaction.seen, version)

    @contextmanager
    def _write(self, connection: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing at commit.
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection.cursor()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _forget_if_changed_elsewhere(self, mine: _Local, cursor: sqlite3.Cursor) -> int:
        # PRAGMA data_version moves when another connection commits, never for this one's own COMMITs.
        data_version = cursor.execute("PRAGMA data_version").fetchone()[0]
        if (data_version, mine.connection.total_changes) != mine.version:
            mine.states.clear()
        return data_version

    def _keep(self, mine: _Local, seen: dict[str, SubscriberState], data_version: int) -> None:
        if len(mine.states) + len(seen) > KEPT_STATES:
            mine.states.clear()
        mine.states.update(seen)
        # total_changes counts this connection's writes, in a group or not: read after the
        # COMMIT it includes this group's, so only a write outside a group moves it on.
        mine.version = (data_version, mine.connection.total_changes)

    def peek(self, keys: Collection[str]) -> dict[str, SubscriberState]:
        """States read apart from any write: WAL lets a read through while another connection writes."""
        with database_errors():
            connection = self.connection()
            return {key: _read_state(connection, key) for key in keys}

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[sqlite3.Cursor]:
        """A cursor in one transaction (a read is one statement, its own snapshot)."""
        with database_errors():
            connection = self.connection()
            if not write:
                yield connection.cursor()
                return
            with self._write(connection) as cursor:
                yield cursor

    def scalar(self, query: str, params: dict[str, object] | None = None) -> object:
        """The first column of the first row of one query."""
        with database_errors():
            row = self.connection().execute(query, params or {}).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Close this thread's connection."""
        mine = getattr(self._local, "mine", None)
        if mine is not None:
            mine.connection.close()
            self._local.mine = None
