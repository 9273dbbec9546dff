"""The line's records, counted per phase afterwards (SQLite file or a fresh PostgreSQL schema)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness import HarnessError
from messages import PHASE_MEASURE, PHASE_PROBE, PHASE_WARMUP

# The phase is the two hex digits after "SM" in the MessageSid.
COUNT_SQL = (
    "SELECT substr(message_sid, 3, 2), count(*), "
    "sum(CASE WHEN replied THEN 0 ELSE 1 END), sum(CASE WHEN rate_limited THEN 1 ELSE 0 END) "
    "FROM records WHERE message_sid LIKE 'SM%' GROUP BY 1"
)
# Africa's Talking's texts (bench/at_sms.py), warm-up and measured together: their ids are hashes, as USSD's.
AT_SQL = "SELECT count(*) FROM records WHERE message_sid LIKE 'ATSMS-%'"
# The outbox's rows by state: what the sender has still to send, what it sent, what else became of them.
OUTBOX_SQL = "SELECT status, count(*) FROM outbox GROUP BY status"
# USSD steps (bench/ussd.py) are counted apart: their ids are hashes, with no phase in them.
USSD_SQL = "SELECT count(*) FROM records WHERE channel = 'ussd'"
# The measured run's empty replies by what the line understood the message as.
EMPTY_SQL = (
    f"SELECT intent, count(*) FROM records WHERE NOT replied AND message_sid LIKE 'SM{PHASE_MEASURE:02x}%' "
    "GROUP BY 1 ORDER BY 2 DESC"
)
PHASE_NAMES = {f"{PHASE_PROBE:02x}": "probe", f"{PHASE_WARMUP:02x}": "warmup", f"{PHASE_MEASURE:02x}": "measure"}


def phase_counts(connection) -> dict:
    """{"total": n, "ussd": n, "at": n, "empty_by_intent": {...},
    "<phase>": {"records", "empty", "rate_limited"}, ...}"""
    empty_rows = connection.execute(EMPTY_SQL).fetchall()
    counts = {
        "total": 0,
        "ussd": int(connection.execute(USSD_SQL).fetchone()[0]),
        "empty_by_intent": {intent: int(count) for intent, count in empty_rows},
        "at": int(connection.execute(AT_SQL).fetchone()[0]),
    }
    for phase, count, empty, limited in connection.execute(COUNT_SQL).fetchall():
        counts["total"] += count
        counts[PHASE_NAMES.get(phase, phase)] = {
            "records": count,
            "empty": int(empty or 0),
            "rate_limited": int(limited or 0),
        }
    return counts


def sqlite_counts(db: Path) -> dict:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return phase_counts(connection)
    finally:
        connection.close()


def outbox_states(connection) -> dict[str, int]:
    """The outbox's rows by state ({"queued": n, "sent": n, ...})."""
    return {status: int(count) for status, count in connection.execute(OUTBOX_SQL).fetchall()}


def sqlite_outbox(db: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return outbox_states(connection)
    finally:
        connection.close()


def plain_url(url: str) -> str:
    """A PostgreSQL URL as psycopg takes it (without SQLAlchemy's +psycopg)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class PgSchema:
    """A fresh schema on the given PostgreSQL (the line creates its tables there), dropped afterwards."""

    def __init__(self, url: str):
        import psycopg  # only when PostgreSQL is asked for

        self.psycopg = psycopg
        self.url = url
        self.schema = f"bench_{uuid.uuid4().hex[:12]}"
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=3) as connection:
                connection.execute(f'CREATE SCHEMA "{self.schema}"')
        except psycopg.Error as error:
            raise HarnessError(f"PostgreSQL at {url} is not usable: {error}") from None

    @property
    def line_url(self) -> str:
        """The URL with search_path set to the schema, so the line's tables land there."""
        parts = urlsplit(self.url)
        query = (parts.query + "&" if parts.query else "") + f"options=-csearch_path%3D{self.schema}"
        return urlunsplit(parts._replace(query=query))

    def counts(self) -> dict:
        with self.psycopg.connect(self.line_url, autocommit=True) as connection:
            return phase_counts(connection)

    def outbox(self) -> dict[str, int]:
        with self.psycopg.connect(self.line_url, autocommit=True) as connection:
            return outbox_states(connection)

    def drop(self) -> None:
        with self.psycopg.connect(self.url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
