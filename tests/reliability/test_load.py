"""Load and crash against the real server, bounded and on loopback only."""

import asyncio
import os
import signal

import pytest

from service.privacy import sender_key
from service.store import open_store
from tests.conftest import TOKEN
from tests.reliability.loadgen import drive, expected_state, plan, when_answered
from tests.server import free_port, running_service
from tests.store_helpers import count_records, load_state

LOAD_KEY = "load-test-key-" + "0" * 32


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """(the server's environment, the store it writes): the embedded file, or a PostgreSQL schema of its own."""
    url = f"sqlite:///{tmp_path / 'var' / 'infoline.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_schema_url")
    environment = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "" if url.startswith("sqlite") else url,
        "PHONE_HASH_KEY": LOAD_KEY,
        "LOG_LEVEL": "WARNING",
    }
    yield environment, url


def recorded_sids(store_url: str) -> list[str]:
    store = open_store(store_url)
    try:
        with store.unit.transaction(write=False) as cursor:
            cursor.execute("SELECT message_sid FROM records")
            return [row[0] for row in cursor.fetchall()]
    finally:
        store.close()


def test_ten_thousand_texts_from_a_thousand_senders(backend):
    environment, store_url = backend
    load = plan(senders=1000, per_sender=10)
    with running_service(environment) as (url, _):
        asyncio.run(drive(url, load.conversations, concurrency=32))
    assert [text.status for text in load.texts].count(200) == 10_000
    store = open_store(store_url)
    assert count_records(store) == 10_000
    for conversation in load.conversations:
        state = load_state(store, sender_key(conversation[0].sender, LOAD_KEY.encode()))
        assert (state.subscriber.opted_out, state.subscriber.locale) == expected_state(conversation)
    store.close()


def test_kill_9_mid_load_loses_no_answered_message(backend):
    environment, store_url = backend
    load = plan(senders=400, per_sender=10, seed=11)
    port = free_port()
    with running_service(environment, port=port) as (url, process):
        killer = when_answered(load.texts, 1000, lambda: os.kill(process.pid, signal.SIGKILL))
        asyncio.run(drive(url, load.conversations, concurrency=32, timeout=5))
        killer.join()
    answered = [text for text in load.texts if text.status == 200]
    unanswered = [text for text in load.texts if text.status != 200]
    assert answered and unanswered, "the kill should land mid-load"
    assert all(text.status in (200, None) for text in load.texts)

    with running_service(environment, port=port) as (url, _):
        if store_url.startswith("sqlite"):
            store = open_store(store_url)
            assert store.unit.scalar("PRAGMA integrity_check") == "ok"
            store.close()
        assert {text.sid for text in answered} <= set(recorded_sids(store_url))
        for text in unanswered:
            text.status = None
        asyncio.run(drive(url, [[text] for text in unanswered], concurrency=8))
    assert all(text.status == 200 for text in unanswered)
    sids = recorded_sids(store_url)
    assert len(sids) == len(set(sids)) == len(load.texts)
