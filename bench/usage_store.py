"""The database bench/usage_scale.py fills: created by the line's own migrations, the month written in bulk
(SQLite: executemany; PostgreSQL: COPY), its rollups by the line's own upsert, and the query usage ran
before the rollups, for the comparison."""

from __future__ import annotations

import datetime
import sqlite3
import time
from collections import Counter

from usage_data import COLUMNS, add_to_rollups, chunks, rollup_rows

from service.store import open_store, rollups
from service.store.dialect import POSTGRES, SQLITE
from service.store.sql import SqlStore, sqlite_path


def create(url: str) -> None:
    """The line's schema on url, as a new line makes it."""
    open_store(url).close()


def write_month(url: str, *, count: int, days: int, now: datetime.datetime, seed: int,
                mix: str = "wide") -> tuple[int, float]:  # fmt: skip
    """`count` records and their rollups written; (rollup rows, seconds taken)."""
    started = time.monotonic()
    totals: dict[tuple, Counter] = {}
    path = sqlite_path(url)
    if path is not None:
        _write_sqlite(path, count=count, days=days, now=now, seed=seed, mix=mix, totals=totals)
    else:
        _write_postgres(url, count=count, days=days, now=now, seed=seed, mix=mix, totals=totals)
    return len(totals), time.monotonic() - started


def _write_sqlite(path: str, *, totals: dict, **month) -> None:
    insert = f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")  # a scratch file: nothing to keep across a crash
        for rows in chunks(**month):
            connection.executemany(insert, rows)
            add_to_rollups(totals, rows)
        connection.executemany(rollups.add_sql(SQLITE), rollup_rows(totals))
        connection.commit()
    finally:
        connection.close()


def _write_postgres(url: str, *, totals: dict, **month) -> None:
    import psycopg

    created_at = COLUMNS.index("created_at")
    with psycopg.connect(url) as connection:  # the schema's URL, as psycopg takes it
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY records ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for rows in chunks(**month):
                    for row in rows:
                        # The stamp is UTC without a zone (SQLite's form); timestamptz must be told so.
                        copy.write_row((*row[:created_at], row[created_at] + "+00", *row[created_at + 1 :]))
                    add_to_rollups(totals, rows)
            cursor.executemany(rollups.add_sql(POSTGRES), rollup_rows(totals))
        connection.commit()
        connection.execute("ANALYZE")  # as autovacuum would have, on a month-old table


def new_usage(url: str, *, since: datetime.datetime) -> tuple[float, int]:
    """The line's own usage query over the rollups (service.store.usage), alone: (seconds, rows)."""
    from service.store.usage import usage

    store = SqlStore(url)
    try:
        usage(store.engine, since=since)  # the engine's first connection and SQLAlchemy's compile, not timed
        started = time.monotonic()
        rows = usage(store.engine, since=since)
        return time.monotonic() - started, len(rows)
    finally:
        store.close()


def old_usage(url: str, *, since: datetime.datetime) -> tuple[float, int, int]:
    """The query usage ran before step 9 (`git show 0cefeb8~1:service/store/usage.py`): a scan of the
    records grouped per day × program × channel × locale × intent × topic. (seconds, rows, messages)."""
    from sqlalchemy import case, create_engine, func, select

    from service.store.engine import with_driver
    from service.store.schema import records

    day = func.date(records.c.created_at)
    keys = [day, records.c.program, records.c.channel, records.c.locale, records.c.intent, records.c.topic]
    query = (
        select(
            *keys,
            func.count(),
            func.sum(case((records.c.replied, 1), else_=0)),
            func.sum(records.c.segments),
            func.sum(case((records.c.rate_limited, 1), else_=0)),
        )  # fmt: skip
        .where(records.c.created_at >= since, records.c.simulated.is_(False))
        .group_by(*keys)
        .order_by(day, records.c.program, records.c.intent, records.c.topic)
    )
    # Its own engine: the line's sets PostgreSQL's statement_timeout to 3 s, which this scan may pass.
    engine = create_engine(with_driver(url))
    try:
        with engine.connect() as connection:
            started = time.monotonic()
            rows = connection.execute(query).fetchall()
            seconds = time.monotonic() - started
    finally:
        engine.dispose()
    return seconds, len(rows), sum(row[6] for row in rows)
