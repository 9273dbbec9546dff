"""The one place where a database driver's errors become StoreUnavailable.

Only the database being away or busy, or refusing one write for good, is
StoreUnavailable: the line then answers without it and spools the write. Any
other error (a bug: a wrong column, a wrong type) is raised as it is, so it
fails loudly instead of looking like an outage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from service.store.records import StoreUnavailable

# sqlite3 says "the database is away or busy" with these (a locked file, a full disk, an unreadable file).
SQLITE_AWAY = (sqlite3.OperationalError, sqlite3.DatabaseError)
SQLITE_REFUSED = (sqlite3.IntegrityError, sqlite3.DataError)
# A closed connection, a value that cannot be bound, SQL that does not parse: bugs.
SQLITE_BUGS = (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.NotSupportedError, sqlite3.InternalError)


def _postgres_classes() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    import psycopg
    import psycopg_pool

    away = (psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout, psycopg_pool.TooManyRequests)
    return away, (psycopg.IntegrityError, psycopg.DataError)


def translated(error: BaseException) -> StoreUnavailable | None:
    """The StoreUnavailable a driver error means, or None when it is not the database's doing."""
    if isinstance(error, SQLITE_BUGS):
        return None
    if isinstance(error, SQLITE_REFUSED):
        return StoreUnavailable(type(error).__name__, transient=False)
    if isinstance(error, SQLITE_AWAY):
        return StoreUnavailable(type(error).__name__)
    return _translated_elsewhere(error)


def _translated_elsewhere(error: BaseException) -> StoreUnavailable | None:
    module = type(error).__module__
    if module.startswith(("psycopg", "psycopg_pool")):
        away, refused = _postgres_classes()
        if isinstance(error, refused):
            return StoreUnavailable(type(error).__name__, transient=False)
        if isinstance(error, away):
            # SQLSTATE class 40, transaction rollback: a deadlock (40P01), a serialization failure (40001).
            lost_race = (getattr(error, "sqlstate", None) or "").startswith("40")
            return StoreUnavailable(type(error).__name__, retry_now=lost_race)
        return None
    if module.startswith("sqlalchemy"):
        return _translated_sqlalchemy(error)
    return None


def _translated_sqlalchemy(error: BaseException) -> StoreUnavailable | None:
    from sqlalchemy import exc

    if isinstance(error, exc.TimeoutError):  # the pool had no connection to give in time
        return StoreUnavailable(type(error).__name__)
    if isinstance(error, exc.DBAPIError) and error.orig is not None:
        inner = translated(error.orig)
        # A connection SQLAlchemy saw drop is away whatever the driver called it.
        if inner is None and error.connection_invalidated:
            return StoreUnavailable(type(error).__name__)
        return inner
    return None


@contextmanager
def database_errors() -> Iterator[None]:
    """Raise StoreUnavailable for what the database did; let any other error through as it is."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as error:
        unavailable = translated(error)
        if unavailable is None:
            raise
        # Only the kind of error: its text can hold the statement's parameters.
        raise unavailable from None
