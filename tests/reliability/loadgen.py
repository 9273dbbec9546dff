"""A bounded loopback load generator: each sender's texts in order, many senders at once."""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx2

from tests.conftest import sign

COMMANDS = [
    "HER2",
    "HORMONE",
    "CHEMO",
    "SURGERY",
    "RADIATION",
    "GOALS",
    "4",
    "MENU",
    "HELP",
    "STOP",
    "START",
    "LANG ES",
    "LANG FR",
    "LANG EN",
    "surgery please",
]
_sids = itertools.count(1)


@dataclass
class Text:
    sid: str
    sender: str
    body: str
    status: int | None = None


@dataclass
class Plan:
    conversations: list[list[Text]] = field(default_factory=list)

    @property
    def texts(self) -> list[Text]:
        return [text for conversation in self.conversations for text in conversation]


def plan(*, senders: int, per_sender: int, seed: int = 7) -> Plan:
    """Conversations of per_sender texts from each of `senders` numbers, commands mixed at random."""
    rng = random.Random(seed)
    return Plan(
        [
            [
                Text(f"SM{next(_sids):010d}{rng.getrandbits(64):022x}", f"+1555{n:07d}", rng.choice(COMMANDS))
                for _ in range(per_sender)
            ]
            for n in range(senders)
        ]
    )


async def _send(client: httpx2.AsyncClient, url: str, text: Text) -> None:
    form = {
        "MessageSid": text.sid,
        "AccountSid": "AC" + "1" * 32,
        "From": text.sender,
        "To": "+15005550000",
        "Body": text.body,
        "NumMedia": "0",
    }
    try:
        response = await client.post(
            "/sms",
            content=urlencode(form),
            headers={
                "X-Twilio-Signature": sign(form, url=url + "/sms"),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        text.status = response.status_code
    except httpx2.HTTPError:
        text.status = None  # no answer: the server went away


async def drive(url: str, conversations: list[list[Text]], *, concurrency: int = 32, timeout: float = 30) -> None:
    """Send every conversation, `concurrency` at a time, each in order."""
    queue: asyncio.Queue = asyncio.Queue()
    for conversation in conversations:
        queue.put_nowait(conversation)
    async with httpx2.AsyncClient(
        base_url=url, timeout=timeout, limits=httpx2.Limits(max_connections=concurrency)
    ) as client:

        async def worker():
            while not queue.empty():
                for text in queue.get_nowait():
                    await _send(client, url, text)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def expected_state(conversation: list[Text]) -> tuple[bool, str | None]:
    """(opted out, locale) after a conversation, by the line's rules for these commands."""
    opted_out, locale = False, None
    for text in conversation:
        if text.body == "STOP":
            opted_out = True
        elif text.body == "START":
            opted_out = False
        elif opted_out:
            continue
        elif text.body.startswith("LANG "):
            locale = text.body[5:].lower()
        elif locale is None:
            locale = "en"  # a +1 number's first contact
    return opted_out, locale


def when_answered(texts: list[Text], count: int, action, *, timeout: float = 60) -> threading.Thread:
    """A started thread that calls action once `count` of texts are answered: the load's progress, not the
    clock, says when "mid-load" is (a fast or a slow machine alike)."""

    def wait_then_act() -> None:
        deadline = time.monotonic() + timeout
        while sum(text.status == 200 for text in texts) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        action()

    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread
