"""The per-message statements: plain SQL on DBAPI connections, no statement building per message.

SQLAlchemy builds, caches and binds a statement for every execution; on the
webhook's path that was most of the time spent. These four statements are
written once, in the parameter style of the driver, and run directly.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from service.store.records import StoreUnavailable

RECORD_COLUMNS = (
    "message_sid",
    "sender_key",
    "program",
    "channel",
    "intent",
    "topic",
    "locale",
    "segments",
    "encoding",
    "replied",
    "rate_limited",
    "simulated",
    "created_at",
)
STATE_COLUMNS = ("locale", "opted_out", "opted_changed_at", "window_start", "window_count", "hour_start", "hour_count")

LOAD_SUBSCRIBER = f"SELECT {', '.join(STATE_COLUMNS)} FROM subscribers WHERE key = :key"
GET_RECORD = f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE message_sid = :message_sid"
INSERT_RECORD = (
    f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({', '.join(':' + c for c in RECORD_COLUMNS)}) "
    "ON CONFLICT (message_sid) DO NOTHING"
)
# Every SET expression reads the row as it was before this update (SQL's rule,
# in SQLite and PostgreSQL alike). An opt-out or opt-in applies only if no later
# one has: a STOP spooled during an outage must not undo a START that came first.
UPSERT_SUBSCRIBER = f"""
INSERT INTO subscribers (key, locale, opted_out, opted_changed_at, window_start, window_count, hour_start, hour_count,
                         updated_at)
VALUES (:key, :locale, :opted_out, :opted_at, :at, :sent, :at, :sent, :at)
ON CONFLICT (key) DO UPDATE SET
  window_count = CASE WHEN subscribers.window_start > :window_since THEN subscribers.window_count + :sent ELSE :sent END,
  window_start = CASE WHEN subscribers.window_start > :window_since THEN subscribers.window_start ELSE :at END,
  hour_count = CASE WHEN subscribers.hour_start > :hour_since THEN subscribers.hour_count + :sent ELSE :sent END,
  hour_start = CASE WHEN subscribers.hour_start > :hour_since THEN subscribers.hour_start ELSE :at END,
  updated_at = :at,
  locale = COALESCE(:locale, subscribers.locale),
  opted_out = CASE WHEN :opt_given AND (subscribers.opted_changed_at IS NULL OR subscribers.opted_changed_at <= :at)
                   THEN :opted_out ELSE subscribers.opted_out END,
  opted_changed_at = CASE WHEN :opt_given AND (subscribers.opted_changed_at IS NULL OR subscribers.opted_changed_at <= :at)
                          THEN :at ELSE subscribers.opted_changed_at END
RETURNING {", ".join(STATE_COLUMNS)}
"""
# The per-message connection runs on the event loop: it (and the loop with it) waits at
# most a second for another process's write lock, then the line answers by the state it
# can read and spools the write.
MESSAGE_BUSY_MS = 1000


CHECKPOINT_PAGES = 300


def sqlite_pragmas(busy_ms: int) -> tuple[str, ...]:
    """WAL lets readers go on while one writer commits; NORMAL sync is durable
    across process crashes, which is the failure a webhook server sees.

    A checkpoint every 300 pages, not SQLite's 1,000, run by the writer itself:
    a small WAL stays in caches and is searched fast. (Checkpoints in a thread of
    their own could not keep up under load: the WAL grew to 180 MB in seconds, and
    the webhook slowed with it.)
    """
    return (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        f"PRAGMA busy_timeout={busy_ms}",
        f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}",
    )


_NAMED = re.compile(r":(\w+)")


def sqlite_path(url: str) -> str | None:
    """The file of a sqlite:/// URL; None for any other database."""
    return url.split(":///", 1)[1] if url.startswith("sqlite") else None


class Direct:
    """DBAPI transactions for the per-message path: one SQLite connection per thread, or the engine's pool.

    engine: makes the SQLAlchemy engine whose pool serves PostgreSQL; SQLite needs none.
    """

    def __init__(self, url: str, *, engine: Callable[[], object]):
        self.path = sqlite_path(url)
        self.sqlite = self.path is not None
        self._engine = engine
        self._local = threading.local()
        self.sql = {
            name: self._styled(sql)
            for name, sql in (
                ("load", LOAD_SUBSCRIBER),
                ("record", GET_RECORD),
                ("insert", INSERT_RECORD),
                ("upsert", UPSERT_SUBSCRIBER),
            )
        }
        if self.sqlite:
            self._errors, self._refusals = (sqlite3.Error,), refusals_of(sqlite3)

    def _styled(self, sql: str) -> str:
        # sqlite3 takes :name; psycopg takes %(name)s.
        return sql if self.sqlite else _NAMED.sub(r"%(\1)s", sql)

    def _postgres_errors(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        dbapi = self._engine().dialect.loaded_dbapi
        self._errors, self._refusals = (dbapi.Error, SQLAlchemyError), refusals_of(dbapi)

    def _sqlite_connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=1, isolation_level=None, check_same_thread=False)
            for pragma in sqlite_pragmas(MESSAGE_BUSY_MS):
                connection.execute(pragma)
            self._local.connection = connection
        return connection

    @contextmanager
    def _sqlite_transaction(self, *, write: bool) -> Iterator:
        connection = self._sqlite_connection()
        if not write:  # reads go through fetchone(): one statement is its own snapshot
            yield connection.cursor()
            return
        # IMMEDIATE takes the write lock up front, so two writers queue
        # instead of one failing at commit.
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection.cursor()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    @contextmanager
    def _pooled_transaction(self) -> Iterator:
        connection = self._engine().raw_connection()
        try:
            yield connection.cursor()
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator:
        """A cursor in one transaction; database trouble comes out as StoreUnavailable."""
        if not self.sqlite and not hasattr(self, "_errors"):
            self._postgres_errors()
        try:
            with self._sqlite_transaction(write=write) if self.sqlite else self._pooled_transaction() as cursor:
                yield cursor
        except self._refusals as error:
            raise StoreUnavailable(type(error).__name__, transient=False) from None
        except self._errors as error:
            # Only the kind of error: its text can hold the statement's parameters.
            raise StoreUnavailable(type(error).__name__) from None

    def fetchone(self, sql: str, params: dict) -> tuple | None:
        """The first row of one query (sql already in the driver's style)."""
        if self.sqlite:
            # The per-message read: one statement, no transaction around it.
            try:
                return self._sqlite_connection().execute(sql, params).fetchone()
            except sqlite3.Error as error:
                raise StoreUnavailable(type(error).__name__) from None
        with self.transaction(write=False) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    def scalar(self, sql: str, params: dict | None = None):
        """The first column of the first row of one query (None when there is no row)."""
        row = self.fetchone(self._styled(sql), params or {})
        return row[0] if row else None

    def script(self, statements: str) -> None:
        """Several SQLite statements in one transaction (a new database's schema)."""
        with self.transaction(write=True) as cursor:
            for statement in filter(str.strip, statements.split(";")):
                cursor.execute(statement)


def refusals_of(dbapi) -> tuple:
    """The DBAPI errors that mean "this write is refused for good", not "the database is away"."""
    return dbapi.IntegrityError, dbapi.DataError, dbapi.ProgrammingError
