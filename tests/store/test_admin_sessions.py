"""Admin sessions and failed logins in the store, on SQLite and PostgreSQL alike."""

import pytest

from service.store import open_store
from service.store.admin_sessions import AdminSession, AdminSessionStore

NOW = 1_800_000_000.0


@pytest.fixture
def sessions(database_url):
    return AdminSessionStore(open_store(database_url))


def session(**fields) -> AdminSession:
    values = dict(label="alice", token_fingerprint="f" * 64, csrf="c" * 43, created_at=NOW, last_seen_at=NOW)
    return AdminSession(**(values | fields))


def test_a_session_is_stored_found_touched_and_deleted(sessions):
    sessions.create(id_hash="a" * 64, session=session())
    assert sessions.get(id_hash="a" * 64) == session()
    assert sessions.get(id_hash="b" * 64) is None
    sessions.touch(id_hash="a" * 64, at=NOW + 90)
    assert sessions.get(id_hash="a" * 64).last_seen_at == NOW + 90
    sessions.delete(id_hash="a" * 64)
    assert sessions.get(id_hash="a" * 64) is None


def test_pruning_drops_idle_and_old_sessions_and_old_failures(sessions):
    sessions.create(id_hash="idle", session=session(last_seen_at=NOW - 100))
    sessions.create(id_hash="old", session=session(created_at=NOW - 1000))
    sessions.create(id_hash="live", session=session())
    sessions.add_failure(client_key="c", label=None, at=NOW - 901, forget_before=0)
    sessions.add_failure(client_key="c", label=None, at=NOW - 10, forget_before=0)
    sessions.prune(seen_before=NOW - 50, created_before=NOW - 500, failed_before=NOW - 900)
    assert [sessions.get(id_hash=key) is not None for key in ("idle", "old", "live")] == [False, False, True]
    assert sessions.nth_newest_failure(client_key="c", label=None, since=0, n=1) == NOW - 10
    assert sessions.nth_newest_failure(client_key="c", label=None, since=0, n=2) is None


def test_each_failure_forgets_those_older_than_the_window(sessions):
    sessions.add_failure(client_key="c", label=None, at=NOW - 1000, forget_before=0)
    sessions.add_failure(client_key="d", label=None, at=NOW, forget_before=NOW - 900)
    assert sessions.nth_newest_failure(client_key="c", label=None, since=0, n=1) is None  # gone, not just old


# Failures: (client, label, seconds ago). The one 1000 s ago is outside the 900 s window.
FAILURES = [
    ("c1", "alice", 10),
    ("c1", "alice", 20),
    ("c1", None, 40),
    ("c1", "alice", 1000),
    ("c2", "bob", 25),
    ("c2", "bob", 30),
    ("c3", "alice", 50),
]


@pytest.mark.parametrize(
    ("client", "label", "expected"),
    [
        ("c1", None, NOW - 40),  # c1: -10, -20, -40
        ("c2", None, None),  # c2 failed twice
        ("c2", "bob", None),  # and so did bob
        ("c3", "alice", NOW - 50),  # c3 once, but alice: -10, -20, -50
        ("c1", "alice", NOW - 40),  # both over: the later of the two (the limit lifts when both have)
    ],
)
def test_the_nth_newest_failure_counts_per_client_and_per_label(sessions, client, label, expected):
    for key, name, ago in FAILURES:
        sessions.add_failure(client_key=key, label=name, at=NOW - ago, forget_before=0)
    assert sessions.nth_newest_failure(client_key=client, label=label, since=NOW - 900, n=3) == expected
