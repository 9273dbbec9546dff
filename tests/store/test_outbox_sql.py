"""The outbox's rows: queued once per message, cancelled by her STOP, claimed by one sender, settled."""

import datetime
import time
from dataclasses import replace

from service.core.types import Delivery
from service.store import Change, Record, outbox
from service.store.dialect import dialect_of
from service.store.usage import usage
from tests.store_helpers import find_record

NOW = time.time()
KEY = "k" * 64


def queued(sid, *, key=KEY, at=NOW) -> outbox.Queued:
    return outbox.Queued(message_sid=sid, gateway="africastalking", program="default", sender_key=key,
                         recipient="sealed", body="reply", sender_id="12345", link_id="", at=at)  # fmt: skip


def record(sid, *, key=KEY) -> Record:
    return Record(message_sid=sid, sender_key=key, program="default", channel="sms", intent="topic", topic="her2",
                  locale="en", segments=1, encoding="GSM-7", replied=True, delivery="queued")  # fmt: skip


def queue(store, *items):
    with store.unit.begin() as transaction:
        transaction.save([(record(item.message_sid, key=item.sender_key), Change(at=NOW)) for item in items])
        transaction.queue(list(items))


def statuses(store):
    with store.unit.transaction(write=False) as cursor:
        return dict(cursor.execute("SELECT message_sid, status FROM outbox").fetchall())


def claim(store, token, *, now=NOW + 1, limit=10):
    with store.unit.transaction(write=True) as cursor:
        return outbox.claim(cursor, dialect_of(store.unit), token=token, now=now, limit=limit)


def test_a_message_queues_one_reply_however_often_it_is_queued(store):
    queue(store, queued("Q1"))
    with store.unit.begin() as transaction:
        transaction.queue([queued("Q1")])
    assert statuses(store) == {"Q1": "queued"}


def test_her_stop_cancels_only_her_replies_queued_before_it(store):
    queue(store, queued("Q1"), queued("Q2", key="j" * 64), queued("Q3", at=NOW + 10))
    stop = replace(record("S1"), intent="stop", topic=None)
    with store.unit.begin() as transaction:  # her STOP, written at NOW + 5 (as the spool's drain writes it too)
        transaction.save([(stop, Change(at=NOW + 5, opted_out=True))])
    assert statuses(store) == {"Q1": "cancelled", "Q2": "queued", "Q3": "queued"}
    assert find_record(store, "Q1").delivery == Delivery.CANCELLED


def test_a_row_is_claimed_once_and_only_when_due(store):
    queue(store, queued("Q1"), queued("Q2", key="j" * 64, at=NOW + 60))
    first = claim(store, "a")
    assert [row.message_sid for row in first] == ["Q1"]
    assert claim(store, "b") == []  # Q1 is held, Q2 not due
    assert first[0].attempts == 1


def test_a_result_is_kept_only_under_its_own_claim(store):
    queue(store, queued("Q1"))
    row = claim(store, "a")[0]
    dialect = dialect_of(store.unit)
    with store.unit.transaction(write=True) as cursor:
        outbox.sent(cursor, dialect, row, token="other", provider_id="ATXid_1", cost=1.0, currency="KES")
    assert statuses(store) == {"Q1": "sending"}
    with store.unit.transaction(write=True) as cursor:
        outbox.sent(cursor, dialect, row, token="a", provider_id="ATXid_1", cost=1.0, currency="KES")
        assert outbox.answered_by(cursor, dialect, gateway="africastalking", provider_id="ATXid_1") == "Q1"
    assert statuses(store) == {"Q1": "sent"}
    assert find_record(store, "Q1").delivery == Delivery.SENT


def test_a_claim_older_than_its_lease_is_unknown_and_never_claimed_again(store):
    queue(store, queued("Q1"), queued("Q2", key="j" * 64, at=NOW - 7200))
    claim(store, "a", limit=1)  # Q2, the older
    with store.unit.transaction(write=True) as cursor:
        lost, dead = outbox.expire(cursor, dialect_of(store.unit), claimed_before=NOW + 10, queued_before=NOW - 3600)
    assert (lost, dead) == (1, 0)
    assert statuses(store) == {"Q1": "queued", "Q2": "unknown"}
    assert [row.message_sid for row in claim(store, "b")] == ["Q1"]


def test_a_queued_reply_too_old_to_send_is_dead(store):
    queue(store, queued("Q1", at=NOW - 7200))
    with store.unit.transaction(write=True) as cursor:
        assert outbox.expire(cursor, dialect_of(store.unit), claimed_before=NOW, queued_before=NOW - 3600) == (0, 1)
    assert statuses(store) == {"Q1": "dead"}
    assert find_record(store, "Q1").delivery == Delivery.FAILED


def test_a_final_row_keeps_neither_number_nor_text(store):
    queue(store, queued("Q1"))
    row = claim(store, "a")[0]
    with store.unit.transaction(write=True) as cursor:
        outbox.failed(cursor, dialect_of(store.unit), row, token="a", reason="InvalidPhoneNumber", dead=False)
        assert cursor.execute("SELECT recipient, body, reason FROM outbox").fetchall() == [
            (None, None, "InvalidPhoneNumber")
        ]


def test_a_reply_queued_again_for_a_message_recorded_untracked_is_tracked_once(store):
    with store.unit.begin() as transaction:  # recorded from the spool: answered, never queued
        transaction.save([(replace(record("Q1"), delivery=None), Change(at=NOW))])
    for _ in range(2):
        with store.unit.begin() as transaction:
            transaction.queue([replace(queued("Q1"), replayed=True)])
    assert find_record(store, "Q1").delivery == Delivery.QUEUED
    [row] = usage(store.engine, since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1))
    assert (row.messages, row.pending) == (1, 1)


def test_her_stop_while_a_reply_is_being_sent_cancels_it_if_that_try_fails(store):
    queue(store, queued("Q1"), queued("Q2", key="j" * 64))
    first, second = sorted(claim(store, "a"), key=lambda row: row.message_sid)
    stop = replace(record("S1"), intent="stop", topic=None)
    with store.unit.begin() as transaction:
        transaction.save([(stop, Change(at=NOW + 5, opted_out=True))])
    assert statuses(store)["Q1"] == "cancelling"
    dialect = dialect_of(store.unit)
    with store.unit.transaction(write=True) as cursor:
        outbox.retry(cursor, dialect, first, token="a", reason="timeout", next_at=NOW)
        outbox.retry(cursor, dialect, second, token="a", reason="timeout", next_at=NOW)
    assert statuses(store) == {"Q1": "cancelled", "Q2": "queued"}  # never tried again; another's retried
    assert find_record(store, "Q1").delivery == Delivery.CANCELLED


def test_a_gateway_id_given_to_two_replies_keeps_the_first_and_makes_the_second_unknown(store):
    queue(store, queued("Q1"), queued("Q2", key="j" * 64))
    first, second = sorted(claim(store, "a"), key=lambda row: row.message_sid)
    dialect = dialect_of(store.unit)
    with store.unit.transaction(write=True) as cursor:
        for row in (first, second):
            outbox.sent(cursor, dialect, row, token="a", provider_id="ATXid_same", cost=None, currency=None)
    assert statuses(store) == {"Q1": "sent", "Q2": "unknown"}
