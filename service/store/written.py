"""What a newly written record brings with it, in the same transaction, whichever path wrote it (the
webhook's group, the spool's drain): its counts in the daily rollups and, for an opt-out, her replies
queued before it cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.store import outbox, rollups
from service.store.dialect import Dialect
from service.store.records import Change, Record


def records_written(cursor: Any, dialect: Dialect, *, new: Sequence[tuple[Record, Change]], day: str) -> None:
    """Count the new records (created_at None: written on `day`); an opt-out cancels her queued replies."""
    cursor.executemany(rollups.add_sql(dialect), rollups.new_records([record for record, _ in new], day=day))
    for record, change in new:
        if change.opted_out:
            # Only what was queued before it: a STOP drained from the spool must not cancel a later answer.
            outbox.cancel(cursor, dialect, sender_key=record.sender_key, before=change.at)
