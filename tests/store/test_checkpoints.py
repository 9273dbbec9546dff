"""SQLite checkpoints run in their own thread while the app serves, not in the event loop's COMMITs."""

import time

from service.store import Change, Record, open_store
from service.store.checkpoints import Checkpoints


def test_checkpoints_move_to_their_own_thread_and_copy_the_wal(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'line.db'}")
    connection = store.direct._sqlite_connection()
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] > 0
    with Checkpoints(store, every=0.01) as checkpoints:
        assert connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for n in range(50):
            record = Record(message_sid=f"SM{n}", sender_key=f"k{n}", program="default", channel="sms",
                            intent="topic", topic="her2", locale="en", segments=1, encoding="GSM-7", replied=True)
            store.save(record=record, change=Change(at=time.time(), replied=True))
        deadline = time.monotonic() + 5
        while checkpoints.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpoints.runs >= 2
    assert not checkpoints._thread.is_alive()


def test_on_postgresql_there_is_no_checkpoint_thread(tmp_path):
    class Remote:
        inline = False

    with Checkpoints(Remote()) as checkpoints:
        assert not checkpoints._thread.is_alive()
