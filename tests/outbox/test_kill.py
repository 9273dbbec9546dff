"""kill -9 of the line while replies are queued and being sent: after a restart on the same data, every reply
is sent or (only if it was in flight at the kill) unknown; no number gets a reply twice."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time

import psycopg

from tests.fake_africastalking import FakeAfricasTalking
from tests.outbox.helpers import at_env, post_all, settled_rows, sid_of, sqlite_url, texts_from, wait_for
from tests.server import running_service

TEXTS = 60
CONCURRENCY = 4
# The claims of a killed sender lapse after 3 x the send timeout (1 s) + 5 s; the restart and the drain besides.
SETTLED_WITHIN_SECONDS = 40
# Long enough for a held-up settle to fail once (PostgreSQL's lock_timeout, 2 s) and the sender to look again.
HELD_UP_AT_MOST_SECONDS = 3.5


def assert_sent_or_unknown_and_none_twice(rows, messages, forms, *, in_flight: int) -> None:
    """Every reply sent (to its own number, once) or unknown; unknown only what was in flight at the kill."""
    per_number = collections.Counter(message["to"] for message in messages)
    assert max(per_number.values()) == 1, "a number got its reply twice"
    statuses = collections.Counter(row["status"] for row in rows.values())
    assert set(statuses) <= {"sent", "unknown"} and sum(statuses.values()) == len(forms), statuses
    assert 1 <= statuses["unknown"] <= in_flight, statuses
    by_id = {message["messageId"]: message for message in messages}
    for form in forms:
        row = rows[sid_of(form)]
        assert row["delivery"] == row["status"]  # the record says what the outbox knows
        if row["status"] == "sent":
            assert by_id[row["provider_id"]]["to"] == form["from"] and per_number[form["from"]] == 1
        assert (row["recipient"], row["body"], row["link_id"]) == (None, None, "")  # none kept once final


def killed_and_restarted(env, fake, forms, *, killed_when, database_url: str, held_up=contextlib.nullcontext):
    """Post forms to a line, kill -9 it once killed_when(fake) (inside held_up()), restart it on the same data
    with the fake answering at once; the rows once settled and what the fake took."""
    with running_service(env) as (url, process):
        assert asyncio.run(post_all(url, forms)) == [200] * len(forms)
        with held_up():
            wait_for(lambda: killed_when(fake), seconds=30)  # mid-send by the fake's count, not by the clock
            process.kill()
            process.wait(timeout=10)
    taken_before_the_kill = len(fake.sent)
    assert taken_before_the_kill < len(forms), "the kill should land mid-send"
    fake.delay = 0.0
    with running_service(env):
        rows = wait_for(lambda: settled_rows(database_url), seconds=SETTLED_WITHIN_SECONDS)
    return rows, list(fake.sent)


def test_a_line_killed_mid_send_sends_the_rest_after_restart_and_nothing_twice(tmp_path):
    data_dir, forms = tmp_path / "var", texts_from(TEXTS)
    with FakeAfricasTalking() as fake:
        fake.delay = 0.3  # sent, then slow to say so: replies pile up and some are in flight at the kill
        env = at_env(data_dir, fake.url, OUTBOX_CONCURRENCY=str(CONCURRENCY))
        rows, messages = killed_and_restarted(env, fake, forms, killed_when=lambda fake: len(fake.sent) >= TEXTS // 3,
                                              database_url=sqlite_url(data_dir))  # fmt: skip
    assert_sent_or_unknown_and_none_twice(rows, messages, forms, in_flight=CONCURRENCY)


def test_a_kill_while_settling_is_held_up_leaves_unknown_no_more_than_were_in_flight(tmp_path, pg_schema_url):
    """Sends the gateway answered but the database has not yet settled still hold their send slots: a sender
    that claims past them would leave more than its concurrency unknown when killed."""
    forms = texts_from(TEXTS)
    with FakeAfricasTalking() as fake:
        fake.delay = 0.3
        env = at_env(tmp_path / "var", fake.url, pg_schema_url, OUTBOX_CONCURRENCY=str(CONCURRENCY))

        held = {"since": 0.0, "sent": 0, "rows": 0}

        @contextlib.contextmanager
        def sends_settled_late():
            """Row locks on the rows being sent: their settle waits (as on a slow or busy database)."""
            with psycopg.connect(pg_schema_url) as connection:
                locked = connection.execute("SELECT id FROM outbox WHERE status = 'sending' FOR UPDATE").fetchall()
                held.update(since=time.monotonic(), sent=len(fake.sent), rows=len(locked))
                yield
                connection.rollback()

        def claimed_past_its_slots_or_held_long_enough(fake) -> bool:
            """As many sends again as are held up (claimed past their slots), or the hold lasted long enough."""
            claimed_past = held["rows"] and len(fake.sent) >= held["sent"] + held["rows"]
            return claimed_past or time.monotonic() - held["since"] >= HELD_UP_AT_MOST_SECONDS

        rows, messages = killed_and_restarted(env, fake, forms, killed_when=claimed_past_its_slots_or_held_long_enough,
                                              database_url=pg_schema_url, held_up=sends_settled_late)  # fmt: skip
    assert held["rows"] >= 1, "some sends should be held up"
    assert_sent_or_unknown_and_none_twice(rows, messages, forms, in_flight=CONCURRENCY)
