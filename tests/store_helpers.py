"""What tests read and write in a store, through its unit of work (the line itself never needs these)."""

from __future__ import annotations

from service.store import statements
from service.store.records import Change, Record, SubscriberState
from service.store.sql import SqlStore


def count_records(store: SqlStore) -> int:
    """How many records there are."""
    return int(store.unit.scalar("SELECT count(*) FROM records"))


def load_state(store: SqlStore, key: str) -> SubscriberState:
    """A sender's stored state (defaults for a new one)."""
    return store.unit.peek([key])[key]


def find_record(store: SqlStore, message_sid: str) -> Record | None:
    """The record of a message, if it was handled."""
    with store.unit.transaction(write=False) as cursor:
        query = statements.GET_RECORD if store.unit.sqlite else statements.pyformat(statements.GET_RECORD)
        cursor.execute(query, {"message_sid": message_sid})
        row = cursor.fetchone()
    return statements.record_of(row) if row else None


def save(store: SqlStore, record: Record, change: Change) -> Record | None:
    """Record one message and apply its change; a duplicate returns the first record."""
    with store.unit.begin() as transaction:
        return transaction.save([(record, change)])[0].first
