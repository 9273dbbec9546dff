"""What the admin reads of the outbox: how many rows are in each status, and the latest that went wrong.

Read-only and bounded. Never the recipient, the body or the gateway's id: a row here is when, for
which program, what became of it, why, and after how many tries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.store.base import run

# Every status a row can have, in the order a reply goes through them (service.store.outbox).
STATUSES = ("queued", "sending", "cancelling", "sent", "failed", "dead", "cancelled", "unknown")
# What an admin should look at: given up on, refused, or lost mid-send.
TROUBLED = ("dead", "unknown", "failed")
MAX_TROUBLED = 100


@dataclass(frozen=True, slots=True)
class TroubledRow:
    """One reply that went wrong, without a digit of hers or a word of its text."""

    id: int
    created_at: datetime.datetime  # UTC
    program: str
    status: str
    reason: str  # a gateway's code word or the sender's own ("lost_mid_send"); "" when none was kept
    attempts: int


def status_counts(engine) -> dict[str, int]:
    """How many outbox rows are in each status (every status named, 0 when none)."""
    from sqlalchemy import func, select

    from service.store.schema import outbox

    query = select(outbox.c.status, func.count()).group_by(outbox.c.status)

    def counts(connection) -> dict[str, int]:
        found = {status: int(count) for status, count in connection.execute(query)}
        return {status: found.pop(status, 0) for status in STATUSES} | found

    return run(engine, counts)


def troubled(engine, *, limit: int = MAX_TROUBLED) -> list[TroubledRow]:
    """The latest rows that are dead, unknown or failed, newest first (at most MAX_TROUBLED)."""
    from sqlalchemy import select

    from service.store.schema import outbox

    columns = (outbox.c.id, outbox.c.created_at, outbox.c.program, outbox.c.status, outbox.c.reason, outbox.c.attempts)
    query = (
        select(*columns)
        .where(outbox.c.status.in_(TROUBLED))
        .order_by(outbox.c.created_at.desc(), outbox.c.id.desc())
        .limit(max(0, min(limit, MAX_TROUBLED)))
    )

    def rows(connection) -> list[TroubledRow]:
        return [_row(*row) for row in connection.execute(query)]

    return run(engine, rows)


def _row(row_id, created_at, program, status, reason, attempts) -> TroubledRow:
    when = datetime.datetime.fromtimestamp(created_at, datetime.UTC)
    return TroubledRow(int(row_id), when, program, status, reason or "", int(attempts))
