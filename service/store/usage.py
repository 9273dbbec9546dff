"""Usage figures from the daily rollups (service.store.rollups): never a scan of the records, never a number."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from service.store.errors import database_errors
from service.store.rollups import COUNTS, KEY, MIXED
from service.store.statements import pyformat


@dataclass(frozen=True, slots=True)
class UsageRow:
    day: str  # YYYY-MM-DD, UTC
    program: str
    channel: str
    gateway: str  # whose callback brought the messages: "twilio" or "africastalking"
    locale: str
    intent: str
    topic: str
    messages: int  # inbound texts
    replies: int  # replies the line sent back (or queued to send)
    segments: int  # what the replies cost the program, in SMS segments
    rate_limited: int
    pending: int  # replies not yet known delivered or failed (queued, sent without a receipt, fate unknown)
    delivered: int  # replies a gateway's receipt says reached the phone
    failed: int  # refused, undeliverable, or given up on
    cancelled: int  # queued, then her STOP came first
    cost: float  # what the gateways said the replies cost, in currency (0 where none said)
    currency: str  # "" when no gateway said; "*" when several currencies were summed

    @property
    def cost_per_delivered(self) -> float | None:
        """What one delivered answer cost; None when none was delivered."""
        return self.cost / self.delivered if self.delivered else None


_SUMS = ", ".join(f"sum({name})" for name in (*COUNTS, "cost")) + ", min(currency), max(currency)"
# In the primary key's order: SQLite reads the rows in index order and groups as it goes, with no sort.
PER_DAY = (
    f"SELECT {', '.join(KEY)}, {_SUMS} FROM usage_daily WHERE day >= :since "
    f"GROUP BY {', '.join(KEY)} ORDER BY {', '.join(KEY)}"
)
OVER_THE_DAYS = (
    f"SELECT :since, {', '.join(KEY[1:])}, {_SUMS} FROM usage_daily WHERE day >= :since GROUP BY {', '.join(KEY[1:])}"
)
# SQLite keeps one row per key (shard 0, one writer): the CSV's rows are read as they are, ungrouped
# (grouping tens of thousands of rows cost SQLite more than reading them).
_ROW = f"{', '.join(KEY)}, {', '.join((*COUNTS, 'cost'))}, COALESCE(currency, '')"
AS_KEPT = f"SELECT {_ROW} FROM usage_daily WHERE day >= :since ORDER BY {', '.join(KEY)}"
DAYS = "SELECT day, sum(replies), sum(segments) FROM usage_daily WHERE day >= :since GROUP BY day ORDER BY day"


def usage(engine: Any, *, since: datetime.datetime, per_day: bool = True) -> list[UsageRow]:
    """Per day (or, per_day False, over all the days from `since`: day is then `since`'s), program, channel,
    gateway, locale and what was asked (shards summed)."""
    return [_row(row) for row in _read(engine, PER_DAY if per_day else OVER_THE_DAYS, since=since)]


def per_day_rows(engine: Any, *, since: datetime.datetime) -> list[tuple]:
    """The CSV's rows as tuples in UsageRow's order (no objects: a national line has tens of thousands)."""
    if engine.dialect.name == "sqlite":
        return _read(engine, AS_KEPT, since=since)
    return [_merged_currency(row) for row in _read(engine, PER_DAY, since=since)]


def _merged_currency(row: tuple) -> tuple:
    low, high = row[-2:]
    return (*row[:-3], float(row[-3] or 0), (low if low == high else MIXED) or "")


def daily(engine: Any, *, since: datetime.datetime) -> list[tuple[str, int, int]]:
    """(day, replies, segments) per day from `since`."""
    return [(day, int(replies or 0), int(segments or 0)) for day, replies, segments in _read(engine, DAYS, since=since)]


def _read(engine: Any, query: str, *, since: datetime.datetime) -> list[tuple]:
    # The DBAPI cursor itself: SQLAlchemy's result rows cost more than the query, at tens of thousands.
    sql = pyformat(query) if engine.dialect.name == "postgresql" else query
    with database_errors():
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, {"since": since.astimezone(datetime.UTC).date().isoformat()})
            return cursor.fetchall()
        finally:
            connection.close()


def _row(row: tuple) -> UsageRow:
    merged = _merged_currency(row)
    return UsageRow(*merged[:7], *(int(count or 0) for count in merged[7:15]), *merged[15:])
