"""Usage figures from the daily rollups (service.store.rollups): never a scan of the records, never a number."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.store.base import run


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


COUNTS = ("messages", "replies", "segments", "rate_limited", "pending", "delivered", "failed", "cancelled")


def usage(engine, *, since: datetime.datetime) -> list[UsageRow]:
    """Per day, program, channel, gateway, locale and what was asked, from `since`'s day on (shards summed)."""
    from sqlalchemy import func, select

    from service.store.schema import usage_daily as daily

    keys = [daily.c.day, daily.c.program, daily.c.channel, daily.c.gateway, daily.c.locale, daily.c.intent,
            daily.c.topic]  # fmt: skip
    query = (
        select(
            *keys,
            *(func.sum(daily.c[name]) for name in COUNTS),
            func.sum(daily.c.cost),
            func.min(daily.c.currency),
            func.max(daily.c.currency),
        )  # fmt: skip
        .where(daily.c.day >= since.astimezone(datetime.UTC).date().isoformat())
        .group_by(*keys)
        .order_by(daily.c.day, daily.c.program, daily.c.intent, daily.c.topic)
    )

    def rows(connection) -> list[UsageRow]:
        return [_row(row) for row in connection.execute(query)]

    return run(engine, rows)


def _row(row) -> UsageRow:
    key, counts, (cost, low, high) = row[:7], row[7:15], row[15:]
    currency = low if low == high else "*"
    return UsageRow(*key, *(int(count or 0) for count in counts), float(cost or 0), currency or "")  # type: ignore[call-arg]
