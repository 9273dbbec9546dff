"""The line with Africa's Talking's SMS configured against the fake API, and what tests read of its outbox."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import psycopg

from service.channels.africastalking_sms import message_id
from service.settings import get_settings
from tests.channels.test_africastalking_sms import KEY, at_form
from tests.fake_africastalking import API_KEY, USERNAME, FakeAfricasTalking

__all__ = [
    "KEY", "CountingFake", "at_env", "at_form", "at_settings", "outbox_rows", "outbox_table", "post_all",
    "post_text", "settled", "settled_rows", "sid_of", "sqlite_url", "stored_rows", "texts_from", "wait_for",
]  # fmt: skip
PHONE_HASH_KEY = "outbox-test-key-" + "0" * 32
FINAL = frozenset({"sent", "failed", "dead", "cancelled", "unknown"})


def at_settings(tmp_path, fake_url: str, database_url: str | None = None, **overrides):
    """Settings of a line whose Africa's Talking texts are answered through the fake API at fake_url."""
    return get_settings(
        data_dir=tmp_path / "var", database_url=database_url, allowed_hosts=("testserver",),
        africastalking_callback_key=KEY, africastalking_username=USERNAME, africastalking_api_key=API_KEY,
        africastalking_api_url=fake_url, outbox_send_timeout_seconds=1.0, **overrides,
    )  # fmt: skip


def at_env(data_dir: Path, fake_url: str, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a line process (tests.server.running_service) sending through the fake at fake_url
    (its database: a SQLite file in data_dir unless database_url)."""
    return {
        "AFRICASTALKING_CALLBACK_KEY": KEY, "AFRICASTALKING_USERNAME": USERNAME, "AFRICASTALKING_API_KEY": API_KEY,
        "AFRICASTALKING_API_URL": fake_url, "OUTBOX_SEND_TIMEOUT_SECONDS": "1", "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url or sqlite_url(data_dir), "PHONE_HASH_KEY": PHONE_HASH_KEY,
        "LOG_LEVEL": "WARNING", **extra,
    }  # fmt: skip


def sqlite_url(data_dir: Path) -> str:
    """The URL of the SQLite file a line keeps in data_dir."""
    return f"sqlite:///{data_dir / 'infoline.db'}"


def post_text(client, text: str = "HER2", **fields: str):
    """One incoming message as Africa's Talking posts it."""
    return client.post(f"/sms/africastalking?key={KEY}", data=at_form(text, **fields))


def texts_from(count: int, *, text: str = "HER2", first: int = 0) -> list[dict[str, str]]:
    """Africa's Talking's forms of `count` texts, each from a number of its own."""
    return [at_form(text, **{"from": f"+2547110{first + n:05d}"}) for n in range(count)]


async def post_all(url: str, forms: list[dict[str, str]], *, concurrency: int = 16) -> list[int]:
    """Post every form to a running line's /sms/africastalking, `concurrency` at a time; the statuses."""
    gate = asyncio.Semaphore(concurrency)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with httpx2.AsyncClient(base_url=url, timeout=30) as client:

        async def one(form: dict[str, str]) -> int:
            async with gate:
                response = await client.post(f"/sms/africastalking?key={KEY}", content=urlencode(form), headers=headers)
                return response.status_code

        return list(await asyncio.gather(*(one(form) for form in forms)))


def outbox_rows(line) -> list[tuple]:
    """(message_sid, status, attempts, recipient is None, body is None, reason) of every outbox row, in order."""
    with line.store.unit.transaction(write=False) as cursor:
        rows = cursor.execute("SELECT message_sid, status, attempts, recipient, body, reason FROM outbox ORDER BY id")
        return [(sid, status, attempts, to is None, body is None, reason) for sid, status, attempts, to, body, reason
                in rows.fetchall()]  # fmt: skip


def outbox_table(unit) -> list[dict[str, object]]:
    """Every outbox row as its columns by name, in order of id (through a store's unit of work)."""
    with unit.transaction(write=False) as cursor:
        cursor.execute("SELECT * FROM outbox ORDER BY id")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stored_rows(database_url: str) -> dict[str, dict[str, object]]:
    """The outbox rows of a database another process writes, by message id, each with its record's delivery."""
    query = "SELECT outbox.*, records.delivery FROM outbox LEFT JOIN records USING (message_sid) ORDER BY id"
    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(f"file:{database_url.removeprefix('sqlite:///')}?mode=ro", uri=True, timeout=5)
    else:
        connection = psycopg.connect(database_url, autocommit=True)
    try:
        cursor = connection.execute(query)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()
    return {row["message_sid"]: row for row in rows}


def settled_rows(database_url: str) -> dict[str, dict[str, object]] | None:
    """stored_rows once every one has its final fate; None before."""
    rows = stored_rows(database_url)
    return rows if settled(rows.values()) else None


def settled(rows) -> bool:
    """Every row has its final fate (none queued or being sent), and there is at least one."""
    return bool(rows) and all(row["status"] in FINAL for row in rows)


def sid_of(form: dict[str, str]) -> str:
    """The line's message id of a text Africa's Talking posted."""
    return message_id(form["id"])


class CountingFake(FakeAfricasTalking):
    """The fake API, also counting the answers it has made (each a send's result on its way to the line)."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.answered = 0

    def answer(self, headers, body: bytes) -> tuple[int, str, bytes]:
        result = super().answer(headers, body)
        with self.lock:
            self.answered += 1
        return result


def wait_for(condition: Callable[[], object], *, seconds: float = 20.0) -> object:
    """condition()'s first true value, looked for until `seconds` pass (then AssertionError)."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)
    return value
