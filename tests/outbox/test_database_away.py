"""The database away (SQLite's write lock held by another process): an Africa's Talking text is refused with 503
(nothing queued, so AT delivers it again) and its redelivery is sent once; a sender's results wait for it."""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
import time
from typing import IO

import pytest

from tests.outbox import helpers
from tests.outbox.helpers import CountingFake, at_form, outbox_table, settled, texts_from, wait_for
from tests.store_helpers import count_records, find_record

PHONE = "+254711000321"
# Longer than the line's busy timeout (1 s) and the sender's pause after a failed settle (1 s) together.
HELD_FOR_SECONDS = 2.5


@pytest.fixture
def fake():
    with CountingFake() as fake:
        yield fake


def hold_write_lock(line) -> sqlite3.Connection:
    """Another process writing, for longer than the line waits for it; release() ends it."""
    other = sqlite3.connect(line.store.unit.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def release(other: sqlite3.Connection) -> None:
    other.execute("ROLLBACK")
    other.close()


@contextlib.contextmanager
def write_lock_held(line):
    other = hold_write_lock(line)
    try:
        yield
    finally:
        release(other)


def hold_spool(line) -> IO[str]:
    """The spool's lock, so its drain (which waits on the database, then every second) cannot apply it."""
    lock = open(line.spool.path.with_suffix(".lock"), "a")  # noqa: SIM115 (held across the lock's release)
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def delivered(client, form):
    return client.post(f"/sms/africastalking?key={helpers.KEY}", data=form)


@pytest.mark.parametrize("spooled", ["not yet applied", "applied"])
def test_a_text_while_the_database_is_away_gets_503_and_its_redelivery_is_sent_once(line_client, fake, spooled):
    line, client = line_client
    form = at_form("HER2", **{"from": PHONE})
    other = hold_write_lock(line)
    try:
        refused = delivered(client, form)
        queued_meanwhile = outbox_table(line.store.unit)  # WAL: a read goes past the held write lock
        # Taken before the database is back: the drain waiting on it would otherwise apply the spool at once.
        spool = hold_spool(line) if spooled == "not yet applied" else None
    finally:
        release(other)
    assert (refused.status_code, refused.text) == (503, "The reply could not be queued just now; try again.\n")
    assert queued_meanwhile == [] and fake.sent == []
    try:
        wait_for(lambda: bool(spool) == line.spool.pending())
        assert delivered(client, form).status_code == 200
        [row] = wait_for(lambda: settled(rows := outbox_table(line.store.unit)) and rows)
    finally:
        if spool:
            spool.close()  # and its lock with it
    assert delivered(client, form).status_code == 200  # and once more, after it went: nothing new
    helpers.post_text(client, "HER2", **{"from": "+254711000999"})  # a later text through the same sender
    wait_for(lambda: len(fake.sent) >= 2 and not line.spool.pending())
    assert row["status"] == "sent" and [message["to"] for message in fake.sent].count(PHONE) == 1
    assert len(outbox_table(line.store.unit)) == 2 and count_records(line.store) == 2
    assert find_record(line.store, row["message_sid"]).delivery == "sent"  # the record knows it went


def test_a_sender_keeps_its_results_while_the_database_is_away_and_settles_them_after(line_client, fake):
    line, client = line_client
    forms = texts_from(5, first=500)
    fake.delay = 0.5  # in flight when the lock is taken
    for form in forms:
        assert delivered(client, form).status_code == 200
    wait_for(lambda: len(fake.sent) == len(forms))
    with write_lock_held(line):
        wait_for(lambda: fake.answered == len(forms))  # the results are the line's, unsettled
        time.sleep(HELD_FOR_SECONDS)  # a bounded wait: at least one settle fails meanwhile
    rows = wait_for(lambda: settled(rows := outbox_table(line.store.unit)) and rows)
    assert [row["status"] for row in rows] == ["sent"] * len(forms)
    assert {row["provider_id"] for row in rows} == {message["messageId"] for message in fake.sent}
    assert sorted(message["to"] for message in fake.sent) == sorted(form["from"] for form in forms)
