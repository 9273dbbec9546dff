"""Two senders draining one outbox: every reply sent exactly once, on SQLite and on PostgreSQL (SKIP LOCKED).

In one event loop (two Sender instances, as two replicas would run them), and as `serve --workers 2`.
"""

from __future__ import annotations

import asyncio
import collections
from urllib.parse import urlencode

from anyio import to_thread

from service.app import create_app
from service.channels.africastalking_api import AfricasTalkingApi
from service.channels.africastalking_sms import decode_text
from service.outbox import Sender
from tests.fake_africastalking import API_KEY, USERNAME, FakeAfricasTalking
from tests.outbox.helpers import (
    at_env,
    at_settings,
    outbox_table,
    post_all,
    settled,
    settled_rows,
    texts_from,
    wait_for,
)
from tests.server import running_service

REPLIES = 200
GROUP = 50  # texts answered together, as the webhook's batcher groups them
DRAINED_WITHIN_SECONDS = 30.0


def queued_line(tmp_path, fake_url: str, database_url: str, forms):
    """A line without a sender of its own (no API key), with a reply queued for each form by the real flow."""
    settings = at_settings(tmp_path, fake_url, database_url).model_copy(update={"africastalking_api_key": None})
    line = create_app(settings).state.line
    messages = [decode_text(urlencode(form).encode()) for form in forms]
    for start in range(0, len(messages), GROUP):
        assert all(reply.queued for reply in line.flow.handle(messages[start : start + GROUP]))
    return line


def sender_on(line, fake_url: str) -> Sender:
    """A sender of its own (its own claim token and API client), as another replica runs it."""
    api = AfricasTalkingApi(base_url=fake_url, username=USERNAME, api_key=API_KEY, timeout=1.0, concurrency=8)
    return Sender(unit=line.store.unit, api=api, sealer=line.flow.sealer, timeout=1.0, dead_after=3600, concurrency=8)


async def drained_by(senders: list[Sender], unit) -> list[dict]:
    """Run the senders together until every row has its fate; the rows."""
    loop = asyncio.get_running_loop()
    running = [asyncio.create_task(sender.run()) for sender in senders]
    deadline = loop.time() + DRAINED_WITHIN_SECONDS
    try:
        while not settled(rows := await to_thread.run_sync(outbox_table, unit)):
            assert loop.time() < deadline, "not drained in time"
            await asyncio.sleep(0.05)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        for sender in senders:
            await sender.api.close()
    return rows


def assert_each_sent_once(rows, messages, forms) -> None:
    """Every reply sent once, to its own number, under the id the fake gave it."""
    assert collections.Counter(row["status"] for row in rows) == {"sent": len(forms)}
    per_number = collections.Counter(message["to"] for message in messages)
    assert per_number == collections.Counter(form["from"] for form in forms)  # each number exactly once
    assert {row["provider_id"] for row in rows} == {message["messageId"] for message in messages}


def test_two_senders_in_one_loop_send_every_reply_once(tmp_path, database_url):
    forms = texts_from(REPLIES)
    with FakeAfricasTalking() as fake:
        fake.delay = 0.01  # both senders hold claims at once
        line = queued_line(tmp_path, fake.url, database_url, forms)
        try:
            senders = [sender_on(line, fake.url), sender_on(line, fake.url)]
            assert senders[0].token != senders[1].token
            rows = asyncio.run(drained_by(senders, line.store.unit))
        finally:
            line.store.close()
        messages = list(fake.sent)
    assert_each_sent_once(rows, messages, forms)
    by_claim = collections.Counter(row["claim"] for row in rows)
    assert set(by_claim) == {sender.token for sender in senders}, by_claim  # both drained it


def test_two_worker_processes_send_every_reply_once(tmp_path, database_url):
    forms = texts_from(100, first=1000)
    with FakeAfricasTalking() as fake:
        # Slow enough that one worker alone would take seconds: the other, which looks every second, joins in.
        fake.delay = 0.1
        env = at_env(tmp_path / "var", fake.url, database_url, OUTBOX_CONCURRENCY="2")
        with running_service(env, args=("--workers", "2")) as (url, _):
            # The gateway away while the texts arrive: the whole backlog waits, however fast they were posted
            # (else one worker could keep up with slow posting and the other find nothing due).
            fake.stop()
            assert asyncio.run(post_all(url, forms)) == [200] * len(forms)
            fake.start()
            rows = wait_for(lambda: settled_rows(database_url), seconds=DRAINED_WITHIN_SECONDS)
        messages = list(fake.sent)
    assert_each_sent_once(list(rows.values()), messages, forms)
    assert len({row["claim"] for row in rows.values()}) == 2  # both workers sent some
