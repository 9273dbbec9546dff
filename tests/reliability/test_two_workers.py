"""Two worker processes on one PostgreSQL: every message recorded once, and a STOP taken by one holds on the
other at once (no state is kept between groups on PostgreSQL; each group reads it)."""

import asyncio
from urllib.parse import urlencode

import httpx2

from service.privacy import sender_key
from service.store import open_store
from tests.conftest import TOKEN, sign
from tests.reliability.loadgen import drive, expected_state, plan
from tests.server import running_service
from tests.store_helpers import count_records, load_state

KEY = "two-workers-key-" + "0" * 32


def environment(tmp_path, database_url: str) -> dict[str, str]:
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": database_url,
        "PHONE_HASH_KEY": KEY,
        "LOG_LEVEL": "WARNING",
    }


async def one_text(url: str, body: str, sid: str) -> tuple[str, str]:
    """One text on a connection of its own (so the kernel may hand it to either worker): the reply's TwiML
    and the process that answered (the request id begins with a prefix of its own per process)."""
    form = {"MessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": "+15557770000", "To": "+15005550000",
            "Body": body, "NumMedia": "0"}  # fmt: skip
    headers = {"X-Twilio-Signature": sign(form, url=url + "/sms"), "Content-Type": "application/x-www-form-urlencoded"}
    async with httpx2.AsyncClient(base_url=url, timeout=10) as client:
        response = await client.post("/sms", content=urlencode(form), headers=headers)
    assert response.status_code == 200
    return response.text, response.headers["x-request-id"][:8]


async def until_the_other_answers(url: str, stop_process: str) -> list[tuple[str, str]]:
    """HER2 texts, 40 at a time so both workers are busy, until the worker that did not take the STOP has
    answered some (at most 10 rounds: which worker accepts a connection is the kernel's choice)."""
    replies: list[tuple[str, str]] = []
    for round_ in range(10):
        sids = (f"SMcd{round_:02x}{n:028x}" for n in range(40))
        replies += await asyncio.gather(*(one_text(url, "HER2", sid) for sid in sids))
        if any(process != stop_process for _, process in replies):
            break
    return replies


def test_two_workers_record_every_message_once_and_share_a_stop_at_once(tmp_path, pg_schema_url):
    load = plan(senders=300, per_sender=10, seed=23)
    with running_service(environment(tmp_path, pg_schema_url), args=("--workers", "2")) as (url, _):
        asyncio.run(drive(url, load.conversations, concurrency=32))
        stopped, stop_process = asyncio.run(one_text(url, "STOP", "SM" + "ab" * 16))
        assert "</Message>" in stopped
        after_stop = asyncio.run(until_the_other_answers(url, stop_process))
    assert [text.status for text in load.texts].count(200) == len(load.texts)
    assert any(process != stop_process for _, process in after_stop)  # the other worker answered too
    assert all("</Message>" not in reply for reply, _ in after_stop)  # silent on both, from the next text on
    store = open_store(pg_schema_url)
    assert count_records(store) == len(load.texts) + 1 + len(after_stop)
    for conversation in load.conversations:
        state = load_state(store, sender_key(conversation[0].sender, KEY.encode()))
        assert (state.subscriber.opted_out, state.subscriber.locale) == expected_state(conversation)
    store.close()
