"""A reply's fate on its record, and the rollup moved with it, in the caller's transaction.

Fates only move forward, from pending (queued, sent, unknown) to pending or final: a late or repeated
receipt (Twilio's "sent" after "delivered", Africa's Talking's report again) changes nothing.
"""

from __future__ import annotations

from typing import Any

from service.core.types import PENDING, Delivery
from service.observability import DELIVERIES, DELIVERY_COST
from service.store import rollups
from service.store.dialect import Dialect, in_dialect

_PENDING = ", ".join(f"'{state.value}'" for state in sorted(PENDING))
MOVE = f"""
UPDATE records SET delivery = :to, cost = COALESCE(:cost, cost), currency = COALESCE(:currency, currency)
WHERE message_sid = :sid AND delivery IN ({_PENDING}) AND delivery <> :to
RETURNING created_at, program, channel, gateway, locale, intent, topic, simulated
"""


TRACK = """
UPDATE records SET delivery = 'queued' WHERE message_sid = :sid AND delivery IS NULL AND replied
RETURNING created_at, program, channel, gateway, locale, intent, topic, simulated, segments
"""


def track(cursor: Any, dialect: Dialect, *, message_sid: str) -> bool:
    """A reply queued for a message recorded untracked (answered from the spool, never queued) is now
    pending on its record and counted, with its segments, in the rollups; False when it was already."""
    row = cursor.execute(in_dialect(dialect, TRACK), {"sid": message_sid}).fetchone()
    if row is None or row[7]:
        return False
    key = (rollups.day_of(row[0]), *row[1:6], row[6] or "")
    cursor.execute(rollups.add_sql(dialect), rollups.reply_added(key, segments=row[8]))
    return True


def move(
    cursor: Any, dialect: Dialect, *, message_sid: str, to: Delivery, cost: float | None = None,
    currency: str | None = None,
) -> bool:  # fmt: skip
    """Move the reply to message_sid on to `to` (with its cost); False when it is not pending (or not kept)."""
    row = cursor.execute(in_dialect(dialect, MOVE), {"sid": message_sid, "to": to.value, "cost": cost,
                                              "currency": currency}).fetchone()  # fmt: skip
    if row is None:
        return False
    created_at, program, channel, gateway, locale, intent, topic, simulated = row
    if simulated:
        return True
    key = (rollups.day_of(created_at), program, channel, gateway, locale, intent, topic or "")
    cursor.execute(rollups.add_sql(dialect), rollups.moved(key, to=to, cost=cost, currency=currency))
    # Counted before the COMMIT: a rollback after this is a database failure, rarer than a scrape's gap.
    labels = {"program": program, "locale": locale, "channel": channel, "gateway": gateway}
    DELIVERIES.labels(**labels, state=to.value).inc()
    if cost:
        DELIVERY_COST.labels(**labels, currency=currency or "").inc(cost)
    return True
