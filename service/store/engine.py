"""SQLAlchemy engines, for what is not on the per-message path: migrations, the admin, purge.

Imported only when one of those needs it: a worker that only answers texts on
SQLite never loads SQLAlchemy (11 MiB).
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from service.store.sqlite import sqlite_pragmas


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Off the event loop (admin, purge, migrations) waiting longer for a lock is fine.
    cursor = dbapi_connection.cursor()
    for pragma in sqlite_pragmas(5000):
        cursor.execute(pragma)
    cursor.close()


def _postgres_timeouts(dbapi_connection, _record) -> None:
    # Twilio waits 15 s for a reply: a statement stuck behind a lock, or a
    # transaction a vanished client left open, must fail fast and let the
    # line answer without the database instead.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(
            "SET statement_timeout = 3000; SET lock_timeout = 2000; SET idle_in_transaction_session_timeout = 10000"
        )
    dbapi_connection.commit()


def with_driver(url: str) -> str:
    """A database URL as SQLAlchemy takes it: postgresql:// (or postgres://) with the psycopg driver."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def make_engine(url: str, *, pool_size: int = 8) -> Engine:
    """An engine that fails fast when the database is away, so replies are not held up."""
    url = with_driver(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Keepalives notice a database host that vanished without closing the connection.
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=2,
        connect_args={
            "connect_timeout": 2,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
        },
    )
    event.listen(engine, "connect", _postgres_timeouts)
    return engine
