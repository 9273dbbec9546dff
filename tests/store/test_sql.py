"""The store, one suite against both SQLite and PostgreSQL."""

import datetime
import threading
import time

from service.store import Change, Record, open_store
from service.store.spool import Spool
from tests.store_helpers import count_records, find_record, load_state, save

NOW = time.time()


def record(sid="SM1", key="k" * 64, **fields) -> Record:
    values = dict(
        message_sid=sid,
        sender_key=key,
        program="default",
        channel="sms",
        intent="topic",
        topic="her2",
        locale="en",
        segments=2,
        encoding="GSM-7",
        replied=True,
    )
    return Record(**(values | fields))


def test_a_new_sender_has_default_state_and_no_record(store):
    assert find_record(store, "SM404") is None
    state = load_state(store, "new")
    assert (state.subscriber.opted_out, state.subscriber.locale) == (False, None)


def test_saved_record_and_change_are_loaded_back(store):
    assert save(store, record=record(), change=Change(at=NOW, locale="es", replied=True)) is None
    found = find_record(store, "SM1")
    assert found.topic == "her2" and found.segments == 2 and found.replied
    state = load_state(store, "k" * 64)
    assert state.subscriber.locale == "es" and state.window_count == 1


def test_a_duplicate_message_sid_is_recorded_once_and_changes_nothing(store):
    save(store, record=record(intent="stop"), change=Change(at=NOW, opted_out=True, replied=True))
    first = save(store, record=record(intent="start"), change=Change(at=NOW + 1, opted_out=False, replied=True))
    assert first.intent == "stop"
    assert count_records(store) == 1
    state = load_state(store, "k" * 64)
    assert state.subscriber.opted_out is True and state.window_count == 1


def test_concurrent_duplicates_give_one_record(store):
    results, barrier = [], threading.Barrier(8)

    def deliver():
        barrier.wait()
        results.append(save(store, record=record("SMdup"), change=Change(at=NOW, replied=True)))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is None for result in results) == 1
    assert count_records(store) == 1


def test_an_older_opt_out_never_undoes_a_newer_opt_in(store):
    save(store, record=record("SM2", intent="start"), change=Change(at=NOW + 10, opted_out=False))
    save(store, record=record("SM1", intent="stop"), change=Change(at=NOW, opted_out=True))
    assert load_state(store, "k" * 64).subscriber.opted_out is False
    save(store, record=record("SM3", intent="stop"), change=Change(at=NOW + 20, opted_out=True))
    assert load_state(store, "k" * 64).subscriber.opted_out is True


def test_reply_counters_restart_after_their_window(store):
    for n in range(3):
        save(store, record=record(f"SM{n}"), change=Change(at=NOW + n, replied=True, window_seconds=30))
    state = load_state(store, "k" * 64)
    assert (state.window_count, state.hour_count) == (3, 3)
    save(store, record=record("SM9"), change=Change(at=NOW + 100, replied=True, window_seconds=30))
    state = load_state(store, "k" * 64)
    assert (state.window_count, state.hour_count) == (1, 4)


def test_silent_messages_do_not_count_as_replies(store):
    save(store, record=record("SM1", replied=False), change=Change(at=NOW, replied=False))
    assert load_state(store, "k" * 64).window_count == 0


def test_purge_deletes_old_records_and_keeps_subscribers(store):
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=100)
    save(store, record=record("SMold", created_at=old), change=Change(at=NOW, locale="fr"))
    save(store, record=record("SMnew"), change=Change(at=NOW))
    cutoff = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=90)
    assert store.purge(before=cutoff) == 1
    assert count_records(store) == 1
    assert load_state(store, "k" * 64).subscriber.locale == "fr"


def test_spool_applies_in_order_and_survives_a_reopen(store, tmp_path):
    spool = Spool(tmp_path / "spool.jsonl")
    spool.add(record=record("SM1", intent="stop"), change=Change(at=NOW, opted_out=True))
    spool.add(record=record("SM2", intent="start"), change=Change(at=NOW + 1, opted_out=False))
    spool.add(record=record("SM3", intent="stop"), change=Change(at=NOW + 2, opted_out=True))
    reopened = Spool(tmp_path / "spool.jsonl")
    assert reopened.opted_out("k" * 64) == (True, NOW + 2)
    assert reopened.drain(store.unit) == 3
    assert not reopened.pending() and count_records(store) == 3
    assert load_state(store, "k" * 64).subscriber.opted_out is True
    assert reopened.drain(store.unit) == 0


def test_a_corrupt_spool_line_is_skipped_and_a_refused_entry_does_not_block_the_rest(store, tmp_path):
    spool = Spool(tmp_path / "spool.jsonl")
    spool.add(record=record("SM1", intent="stop"), change=Change(at=NOW, opted_out=True))
    with open(spool.path, "a") as half_written:
        half_written.write('{"record": {"message_sid": "SM')
    spool.add(record=record("SM2", program="p" * 100), change=Change(at=NOW + 1))  # the database refuses it
    spool.add(record=record("SM3", key="j" * 64, intent="stop"), change=Change(at=NOW + 2, opted_out=True))
    assert spool.drain(store.unit) == 3
    assert not spool.pending()
    assert load_state(store, "j" * 64).subscriber.opted_out is True
    assert load_state(store, "k" * 64).subscriber.opted_out is True


def test_a_sqlite_worker_answers_without_loading_sqlalchemy_or_the_outboxs_client(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys; from service.app import create_app; from service.settings import get_settings; "
        "from service.core import InboundMessage; "
        f"app = create_app(get_settings(data_dir={str(tmp_path)!r}, twilio_auth_token='x', phone_hash_key='k' * 32)); "
        "line = app.state.line; "
        "reply = line.flow.handle([InboundMessage(message_id='SM1', sender='+15551230001', recipient='', body='HER2')])[0]; "
        "line.store.ping(); line.versions.newest_id(); "
        "print(reply.topic, *(name in sys.modules for name in ('sqlalchemy', 'alembic', 'aiohttp', 'cryptography')))"
    )
    for _run in range(2):  # a new database, then an existing one
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        # Nor the outbox's HTTP client and cipher (30 MiB) on a line no gateway sends later for.
        assert result.stdout.split() == ["her2", "False", "False", "False", "False"], result.stderr


def test_the_spools_opt_out_index_follows_appends_other_writers_and_drains(store, tmp_path):
    spool, other_worker = Spool(tmp_path / "spool.jsonl"), Spool(tmp_path / "spool.jsonl")
    assert spool.opted_out("k" * 64) is None
    spool.add(record=record("SM1", intent="stop"), change=Change(at=NOW, opted_out=True))
    assert spool.opted_out("k" * 64) == (True, NOW)
    other_worker.add(record=record("SM2", intent="start"), change=Change(at=NOW + 1, opted_out=False))
    assert spool.opted_out("k" * 64) == (False, NOW + 1)
    other_worker.drain(store.unit)
    assert spool.opted_out("k" * 64) is None
    other_worker.add(record=record("SM3", key="j" * 64, intent="stop"), change=Change(at=NOW + 2, opted_out=True))
    assert spool.opted_out("j" * 64) == (True, NOW + 2) and spool.opted_out("k" * 64) is None


def test_sqlite_checkpoints_keep_the_wal_small(tmp_path):
    from service.store.sqlite import CHECKPOINT_PAGES

    store = open_store(f"sqlite:///{tmp_path / 'line.db'}")
    connection = store.unit.connection()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_PAGES
    for n in range(400):
        save(store, record=record(f"SM{n}", key=f"k{n}"), change=Change(at=NOW + n, replied=True))
    # Without the checkpoints the WAL would hold every page of 400 transactions; with them it restarts.
    assert (tmp_path / "line.db-wal").stat().st_size < 2 * CHECKPOINT_PAGES * 4096


def test_on_a_tie_the_spool_and_the_store_let_the_later_written_opt_out_win(store):
    from service.core.opt_out import spooled_is_newer

    save(store, record=record("SM1", intent="start"), change=Change(at=NOW, opted_out=False))
    save(store, record=record("SM2", intent="stop"), change=Change(at=NOW, opted_out=True))
    # The store applies an opt-out of the same moment; the flow's reading of the spool must agree.
    assert load_state(store, "k" * 64).subscriber.opted_out is True
    assert spooled_is_newer(stored_at=NOW, spooled_at=NOW)
