"""Which driver errors are the database's doing (StoreUnavailable) and which are bugs (raised as they are)."""

import sqlite3

import psycopg
import psycopg.errors
import pytest

from service.store.errors import database_errors, translated


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sqlite3.OperationalError("database is locked"), ("OperationalError", True, False)),
        (sqlite3.IntegrityError("constraint"), ("IntegrityError", False, False)),
        (psycopg.OperationalError("connection lost"), ("OperationalError", True, False)),
        (psycopg.errors.DeadlockDetected(), ("DeadlockDetected", True, True)),
        (psycopg.errors.SerializationFailure(), ("SerializationFailure", True, True)),
        (psycopg.errors.StringDataRightTruncation(), ("StringDataRightTruncation", False, False)),
    ],
)
def test_the_database_away_busy_or_refusing_is_store_unavailable(error, expected):
    unavailable = translated(error)
    assert (str(unavailable), unavailable.transient, unavailable.retry_now) == expected


@pytest.mark.parametrize(
    "bug",
    [
        sqlite3.ProgrammingError("closed"),
        sqlite3.InterfaceError("binding"),
        psycopg.errors.UndefinedTable(),
        psycopg.errors.SyntaxError(),
        ValueError("a bug"),
        RuntimeError("a bug"),
    ],
)
def test_a_bug_is_raised_as_itself_never_taken_for_an_outage(bug):
    assert translated(bug) is None
    with pytest.raises(type(bug)), database_errors():
        raise bug
