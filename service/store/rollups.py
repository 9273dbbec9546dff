"""Daily usage rollups (usage_daily), added to in the transaction that writes what they count.

A new record adds its message, reply, segments and pending delivery; a reply's later fate (sent with a
cost, delivered, failed, cancelled) moves it from pending to its column. So usage reads rows per day,
never the records, and purge can drop records without losing a figure. Simulated texts are not counted.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from service.core.types import PENDING, TRACKED_CHANNELS, Delivery
from service.store.dialect import Dialect
from service.store.records import Record

KEY = ("day", "program", "channel", "gateway", "locale", "intent", "topic")
COUNTS = ("messages", "replies", "segments", "rate_limited", "pending", "delivered", "failed", "cancelled")
# A final state's column; pending states have none of their own.
COLUMN_OF = {Delivery.DELIVERED: "delivered", Delivery.FAILED: "failed", Delivery.CANCELLED: "cancelled"}
# Two currencies in one row (a program moved accounts): its cost is no longer one amount.
MIXED = "*"


COLUMNS = (*KEY, "shard", *COUNTS, "cost", "currency")
# Adding to a row that is there: every count and the cost summed, the currency kept or marked mixed.
MERGE = (
    f"ON CONFLICT ({', '.join(KEY)}, shard) DO UPDATE SET "
    + ", ".join(f"{name} = usage_daily.{name} + excluded.{name}" for name in (*COUNTS, "cost"))
    + ", currency = CASE WHEN usage_daily.currency IS NULL THEN excluded.currency"
    " WHEN excluded.currency IS NULL OR excluded.currency = usage_daily.currency THEN usage_daily.currency"
    f" ELSE '{MIXED}' END"
)
# PostgreSQL's rows are per connection (pg_backend_pid()), and a pool's connections are new every hour:
# left alone, a day would hold a row per key per connection it ever had. Now and then the rows no
# transaction holds are moved into shard 0 (SKIP LOCKED: a webhook's group never waits on this).
FOLD = f"""
WITH picked AS (SELECT ctid FROM usage_daily WHERE shard <> 0 LIMIT 50000 FOR UPDATE SKIP LOCKED),
moved AS (DELETE FROM usage_daily WHERE ctid IN (SELECT ctid FROM picked) RETURNING *)
INSERT INTO usage_daily ({", ".join(COLUMNS)})
SELECT {", ".join(KEY)}, 0, {", ".join(f"sum({name})" for name in (*COUNTS, "cost"))},
       CASE WHEN count(DISTINCT currency) > 1 THEN '{MIXED}' ELSE max(currency) END
FROM moved GROUP BY {", ".join(KEY)} ORDER BY {", ".join(KEY)}
{MERGE}
"""


@functools.cache
def add_sql(dialect: Dialect) -> str:
    """The upsert adding one row's deltas (every count, cost and currency given)."""
    values = ", ".join(dialect.shard if name == "shard" else f":{name}" for name in COLUMNS)
    return dialect.params(f"INSERT INTO usage_daily ({', '.join(COLUMNS)}) VALUES ({values}) {MERGE}")


def fold_shards(cursor: Any, dialect: Dialect) -> int:
    """Fold PostgreSQL's per-connection rows into one per key (SQLite has one); how many rows were moved."""
    if dialect.shard == "0":
        return 0
    return cursor.execute(FOLD).rowcount


def day_of(created_at: Any) -> str:
    """The UTC day of a record's created_at, as either driver returns it (SQLite: text; psycopg: datetime)."""
    if isinstance(created_at, datetime.datetime):
        if created_at.tzinfo is not None:
            created_at = created_at.astimezone(datetime.UTC)
        return created_at.date().isoformat()
    return str(created_at)[:10]


def new_records(records: Iterable[Record], *, day: str) -> list[dict[str, object]]:
    """One delta per rollup row for records just written (created_at None: written on `day`)."""
    totals: dict[tuple[str, ...], Counter[str]] = {}
    for record in records:
        if record.simulated:
            continue
        key = (day_of(record.created_at) if record.created_at else day, record.program, record.channel,
               record.gateway, record.locale, record.intent, record.topic or "")  # fmt: skip
        counts = totals.setdefault(key, Counter())
        counts["messages"] += 1
        if not untracked(record):
            counts["replies"] += record.replied
            counts["segments"] += record.segments
        counts["rate_limited"] += record.rate_limited
        counts["pending"] += record.delivery in PENDING
    return [_delta(key, counts) for key, counts in sorted(totals.items())]


def moved(key: Sequence[str], *, to: Delivery, cost: float | None, currency: str | None) -> dict[str, object]:
    """The delta of one reply moving from pending to `to` (and costing `cost`)."""
    counts: Counter[str] = Counter()
    if to not in PENDING:
        counts["pending"] -= 1
        counts[COLUMN_OF[to]] += 1
    return _delta(key, counts, cost=cost or 0.0, currency=currency)


def untracked(record: Record) -> bool:
    """A text answered while the database was away whose reply a gateway would have sent later: nothing was
    queued (its gateway heard 503), so its reply is counted only once one is (service.store.deliveries.track)."""
    return record.replied and record.delivery is None and record.channel in TRACKED_CHANNELS


def reply_added(key: Sequence[str], *, segments: int) -> dict[str, object]:
    """The delta of a reply queued after its record was written: one more reply, its segments, pending."""
    return _delta(key, Counter(replies=1, segments=segments, pending=1))


def _delta(key: Sequence[str], counts: Counter[str], *, cost: float = 0.0, currency: str | None = None) -> dict:
    return dict(zip(KEY, key, strict=True)) | {name: counts[name] for name in COUNTS} | {
        "cost": cost, "currency": currency,
    }  # fmt: skip
