"""Daily rollups kept as records and fates are written: usage never scans records, purge keeps figures."""

import datetime
import time

from service.core.types import Delivery
from service.store import Change, Record, deliveries, open_store
from service.store.dialect import dialect_of
from service.store.usage import usage
from tests.store_helpers import count_records

NOW = time.time()
LONG_AGO = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3)
SINCE = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)


def record(sid, *, key="k" * 64, **fields) -> Record:
    values = dict(message_sid=sid, sender_key=key, program="default", channel="sms", intent="topic",
                  topic="her2", locale="en", segments=2, encoding="GSM-7", replied=True, delivery="queued")  # fmt: skip
    return Record(**(values | fields))


def save_all(store, records):
    with store.unit.begin() as transaction:
        transaction.save([(one, Change(at=NOW)) for one in records])


def move(store, sid, to, **cost):
    with store.unit.transaction(write=True) as cursor:
        return deliveries.move(cursor, dialect_of(store.unit), message_sid=sid, to=to, **cost)


def the_row(store, **key):
    rows = [row for row in usage(store.engine, since=SINCE) if all(getattr(row, k) == v for k, v in key.items())]
    assert len(rows) == 1, rows
    return rows[0]


def test_new_records_are_counted_per_day_and_key_and_a_duplicate_is_not(store):
    save_all(store, [record("A1"), record("A2", key="j" * 64), record("A3", topic=None, intent="menu")])
    save_all(store, [record("A1")])  # delivered again: not new
    her2 = the_row(store, topic="her2")
    assert (her2.messages, her2.replies, her2.segments, her2.pending) == (2, 2, 4, 2)
    assert the_row(store, intent="menu").messages == 1


def test_simulated_texts_are_not_counted_and_old_records_count_on_their_own_day(store):
    save_all(store, [record("S1", simulated=True), record("O1", created_at=LONG_AGO)])
    rows = usage(store.engine, since=SINCE)
    assert [(row.day, row.messages) for row in rows] == [(LONG_AGO.date().isoformat(), 1)]


def test_a_fate_moves_pending_to_its_column_once_and_never_back(store):
    save_all(store, [record("F1"), record("F2", key="j" * 64), record("F3", key="i" * 64)])
    assert move(store, "F1", Delivery.SENT, cost=0.8, currency="KES")
    assert move(store, "F1", Delivery.DELIVERED)
    assert not move(store, "F1", Delivery.FAILED)  # a late receipt after a final one changes nothing
    assert move(store, "F2", Delivery.FAILED)
    assert move(store, "F3", Delivery.CANCELLED)
    row = the_row(store, topic="her2")
    assert (row.pending, row.delivered, row.failed, row.cancelled) == (0, 1, 1, 1)
    assert (row.cost, row.currency, row.cost_per_delivered) == (0.8, "KES", 0.8)


def test_two_currencies_in_one_row_are_marked_mixed(store):
    save_all(store, [record("C1"), record("C2", key="j" * 64)])
    move(store, "C1", Delivery.SENT, cost=1.0, currency="KES")
    move(store, "C2", Delivery.SENT, cost=0.01, currency="USD")
    assert the_row(store, topic="her2").currency == "*"


def test_a_reply_nothing_tracks_has_no_fate_to_move(store):
    save_all(store, [record("U1", channel="ussd", delivery=None)])
    assert not move(store, "U1", Delivery.DELIVERED)
    assert the_row(store, channel="ussd").pending == 0


def test_purge_drops_records_but_not_the_figures(store):
    save_all(store, [record("P1", created_at=LONG_AGO), record("P2", key="j" * 64, created_at=LONG_AGO)])
    move(store, "P1", Delivery.DELIVERED)
    before = usage(store.engine, since=SINCE)
    assert store.purge(before=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)) == 2
    assert count_records(store) == 0
    assert usage(store.engine, since=SINCE) == before


def shard_rows(store) -> int:
    return int(store.unit.scalar("SELECT count(*) FROM usage_daily WHERE shard <> 0"))


def test_folding_keeps_every_figure_and_leaves_one_row_per_key(store, database_url):
    other = open_store(database_url)  # another replica: on PostgreSQL, other connections, other shards
    try:
        save_all(store, [record("R1")])
        save_all(other, [record("R2", key="j" * 64)])
        move(other, "R1", Delivery.SENT, cost=1.0, currency="KES")
        move(store, "R2", Delivery.SENT, cost=0.5, currency="KES")
        before = usage(store.engine, since=SINCE)
        assert (shard_rows(store) == 0) == store.unit.sqlite  # a row per connection, on PostgreSQL
        store.fold_rollups()
        assert shard_rows(store) == 0
        assert usage(store.engine, since=SINCE) == before
        assert (before[0].messages, before[0].cost) == (2, 1.5)
    finally:
        other.close()


def test_a_usage_row_names_the_rollups_key_and_counts_in_their_order():
    from service.store import rollups
    from service.store.usage import UsageRow

    # usage() builds rows by position from the rollups' columns.
    assert UsageRow.__slots__[: len(rollups.KEY) + len(rollups.COUNTS)] == (*rollups.KEY, *rollups.COUNTS)
