"""The per-message statements: plain SQL on DBAPI connections, no statement building per message.

SQLAlchemy builds, caches and binds a statement for every execution; on the
webhook's path that was most of the time spent. These four statements are
written once, in the parameter style of the driver, and run directly.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from service.store.records import StoreUnavailable

RECORD_COLUMNS = ("message_sid", "sender_key", "program", "channel", "intent", "topic", "locale", "segments",
                  "encoding", "replied", "rate_limited", "simulated", "created_at")
STATE_COLUMNS = ("locale", "opted_out", "opted_changed_at", "window_start", "window_count", "hour_start", "hour_count")

LOAD_SUBSCRIBER = f"SELECT {', '.join(STATE_COLUMNS)} FROM subscribers WHERE key = :key"
GET_RECORD = f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE message_sid = :message_sid"
INSERT_RECORD = (
    f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({', '.join(':' + c for c in RECORD_COLUMNS)}) "
    "ON CONFLICT (message_sid) DO NOTHING RETURNING id"
)
# Every SET expression reads the row as it was before this update (SQL's rule,
# in SQLite and PostgreSQL alike). An opt-out or opt-in applies only if no later
# one has: a STOP spooled during an outage must not undo a START that came first.
UPSERT_SUBSCRIBER = """
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
"""
# The per-message connection runs on the event loop: it waits at most a second
# for another process's write lock, then the line answers without the store.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=1000")
_NAMED = re.compile(r":(\w+)")


class Direct:
    """DBAPI transactions for the per-message path: one SQLite connection per thread, or the engine's pool."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        dbapi = engine.dialect.loaded_dbapi
        self._errors = (dbapi.Error, SQLAlchemyError)
        self._refusals = (dbapi.IntegrityError, dbapi.DataError, dbapi.ProgrammingError)
        self._local = threading.local()
        self.sql = {name: self._styled(sql) for name, sql in
                    (("load", LOAD_SUBSCRIBER), ("record", GET_RECORD), ("insert", INSERT_RECORD),
                     ("upsert", UPSERT_SUBSCRIBER))}

    def _styled(self, sql: str) -> str:
        # sqlite3 takes :name; psycopg takes %(name)s.
        return sql if self.sqlite else _NAMED.sub(r"%(\1)s", sql)

    def _sqlite_connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.engine.url.database, timeout=1, isolation_level=None,
                                         check_same_thread=False)
            for pragma in SQLITE_PRAGMAS:
                connection.execute(pragma)
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator:
        """A cursor in one transaction; database trouble comes out as StoreUnavailable."""
        try:
            if self.sqlite:
                connection = self._sqlite_connection()
                if not write:  # one statement reads a consistent snapshot on its own
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
            else:
                connection = self.engine.raw_connection()
                try:
                    cursor = connection.cursor()
                    yield cursor
                    connection.commit()
                except BaseException:
                    connection.rollback()
                    raise
                finally:
                    connection.close()
        except self._refusals as error:
            raise StoreUnavailable(type(error).__name__, transient=False) from None
        except self._errors as error:
            # Only the kind of error: its text can hold the statement's parameters.
            raise StoreUnavailable(type(error).__name__) from None
