"""The line with Africa's Talking's SMS configured against the fake API, and what tests read of its outbox."""

from __future__ import annotations

import time
from collections.abc import Callable

from service.settings import get_settings
from tests.channels.test_africastalking_sms import KEY, at_form
from tests.fake_africastalking import API_KEY, USERNAME

__all__ = ["KEY", "at_form", "at_settings", "outbox_rows", "post_text", "wait_for"]


def at_settings(tmp_path, fake_url: str, database_url: str | None = None, **overrides):
    """Settings of a line whose Africa's Talking texts are answered through the fake API at fake_url."""
    return get_settings(
        data_dir=tmp_path / "var", database_url=database_url, allowed_hosts=("testserver",),
        africastalking_callback_key=KEY, africastalking_username=USERNAME, africastalking_api_key=API_KEY,
        africastalking_api_url=fake_url, outbox_send_timeout_seconds=1.0, **overrides,
    )  # fmt: skip


def post_text(client, text: str = "HER2", **fields: str):
    """One incoming message as Africa's Talking posts it."""
    return client.post(f"/sms/africastalking?key={KEY}", data=at_form(text, **fields))


def outbox_rows(line) -> list[tuple]:
    """(message_sid, status, attempts, recipient is None, body is None, reason) of every outbox row, in order."""
    with line.store.unit.transaction(write=False) as cursor:
        rows = cursor.execute("SELECT message_sid, status, attempts, recipient, body, reason FROM outbox ORDER BY id")
        return [(sid, status, attempts, to is None, body is None, reason) for sid, status, attempts, to, body, reason
                in rows.fetchall()]  # fmt: skip


def wait_for(condition: Callable[[], object], *, seconds: float = 20.0) -> object:
    """condition()'s first true value, looked for until `seconds` pass (then AssertionError)."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)
    return value
