"""Load and crash against the real server, bounded and on loopback only."""

import asyncio
import os
import signal
import sqlite3
import threading

from service.privacy import sender_key
from service.store import open_store
from tests.conftest import TOKEN
from tests.reliability.loadgen import drive, expected_state, plan
from tests.server import free_port, running_service
from tests.store_helpers import count_records, load_state

LOAD_KEY = "load-test-key-" + "0" * 32


def environment(tmp_path):
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "",
        "PHONE_HASH_KEY": LOAD_KEY,
        "LOG_LEVEL": "WARNING",
    }


def test_ten_thousand_texts_from_a_thousand_senders(tmp_path):
    load = plan(senders=1000, per_sender=10)
    with running_service(environment(tmp_path)) as (url, _):
        asyncio.run(drive(url, load.conversations, concurrency=32))
    assert [text.status for text in load.texts].count(200) == 10_000
    store = open_store(f"sqlite:///{tmp_path / 'var' / 'infoline.db'}")
    assert count_records(store) == 10_000
    for conversation in load.conversations:
        state = load_state(store, sender_key(conversation[0].sender, LOAD_KEY.encode()))
        assert (state.subscriber.opted_out, state.subscriber.locale) == expected_state(conversation)


def test_kill_9_mid_load_loses_no_answered_message(tmp_path):
    load = plan(senders=400, per_sender=10, seed=11)
    port = free_port()
    with running_service(environment(tmp_path), port=port) as (url, process):
        killer = threading.Timer(1.5, lambda: os.kill(process.pid, signal.SIGKILL))
        killer.start()
        asyncio.run(drive(url, load.conversations, concurrency=32, timeout=5))
        killer.join()
    answered = [text for text in load.texts if text.status == 200]
    unanswered = [text for text in load.texts if text.status != 200]
    assert answered and unanswered, "the kill should land mid-load"
    assert all(text.status in (200, None) for text in load.texts)

    database = tmp_path / "var" / "infoline.db"
    with running_service(environment(tmp_path), port=port) as (url, _):
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            recorded = {row[0] for row in connection.execute("SELECT message_sid FROM records")}
        assert {text.sid for text in answered} <= recorded
        for text in unanswered:
            text.status = None
        asyncio.run(drive(url, [[text] for text in unanswered], concurrency=8))
    assert all(text.status == 200 for text in unanswered)
    with sqlite3.connect(database) as connection:
        sids = [row[0] for row in connection.execute("SELECT message_sid FROM records")]
    assert len(sids) == len(set(sids)) == len(load.texts)
