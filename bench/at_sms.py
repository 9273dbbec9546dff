"""Africa's Talking's incoming texts as the bench sends them to /sms/africastalking, and the fake of its
messaging API (tests/fake_africastalking.py) run as a process, so the line's outbox sends the replies.

Every text has its own `id` (a redelivered id would queue nothing new), from a pool of Kenyan numbers,
with the /sms benchmark's mix of words. The callback carries no signature: the key is in the URL, so each
line of the files wrk_requests.lua reads is a tab (no signature) and the form.
"""

from __future__ import annotations

import http.client
import random
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

from harness import HOST, HarnessError, Run
from messages import (
    PHASE_MEASURE,
    PHASE_WARMUP,
    STOP_START_GAP_PER_THREAD,
    encode_form,
    plan_messages,
    pool_size,
    write_thread_files,
)
from processes import log_tail, spawn

SHORT_CODE = "21525"
NETWORK_CODE = "63902"
LINK_ID = "SampleLinkId123"
DATE = "2026-11-30 09:41:00"
# Each run's ids: "at", the phase's two hex digits, the run's salt and a count (the line keeps a hash of each).
ID_PREFIX = "at"
FAKE_START_TIMEOUT_S = 15.0


def at_id(phase: int, salt: str, index: int) -> str:
    """A text's id, distinct per text and run: at<phase:2 hex><salt><index:24 hex>."""
    return f"{ID_PREFIX}{phase:02x}{salt}{index:024x}"


def at_form(message_id: str, sender: str, text: str) -> dict[str, str]:
    """The fields Africa's Talking posts for one incoming text, in its order."""
    return {"from": sender, "to": SHORT_CODE, "text": text, "date": DATE, "id": message_id, "linkId": LINK_ID,
            "networkCode": NETWORK_CODE}  # fmt: skip


def kenyan_numbers(count: int, rng: random.Random) -> list[str]:
    """`count` distinct Safaricom-style numbers (+2547…): her country gives her language, as in production."""
    return [f"+2547{n:08d}" for n in rng.sample(range(100_000_000), count)]


def at_lines(count: int, rng: random.Random, senders: list[str], *, salt: str, phase: int, gap: int) -> list[str]:
    """'<TAB>form' for `count` texts, the /sms mix (STOP then START `gap` later in the measured phase)."""
    planned = plan_messages(count, rng, senders, stops=phase == PHASE_MEASURE, gap=gap)
    return ["\t" + encode_form(at_form(at_id(phase, salt, index), sender, text))
            for index, (sender, text) in enumerate(planned)]  # fmt: skip


def check_at_lines(lines: list[str], sample: int = 200) -> None:
    """A sample of the lines parses back to the form Africa's Talking sends."""
    for line in random.Random(1).sample(lines, min(sample, len(lines))):
        signature, body = line.split("\t", 1)
        form = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
        if signature or set(form) != set(at_form("", "", "")) or not form["id"].startswith(ID_PREFIX):
            raise HarnessError("a precomputed Africa's Talking text is not the form Africa's Talking sends")


def prepare_at(run: Run) -> None:
    """The warm-up's and measured run's texts, in files wrk_requests.lua reads (workdir/at-PHASE.N.tsv)."""
    a = run.args
    rng = random.Random(a.seed + 2)
    senders = kenyan_numbers(a.senders, rng)
    sizes = {PHASE_WARMUP: pool_size(a.warmup, 50_000), PHASE_MEASURE: pool_size(a.seconds, 200_000)}
    for phase, prefix in ((PHASE_WARMUP, "at-warmup"), (PHASE_MEASURE, "at-measure")):
        lines = at_lines(
            sizes[phase], rng, senders, salt=run.salt, phase=phase, gap=STOP_START_GAP_PER_THREAD * a.threads
        )
        check_at_lines(lines)
        write_thread_files(lines, run.workdir / prefix, a.threads)
    print(f"precomputed {sum(sizes.values()):,} distinct Africa's Talking texts", flush=True)


class FakeGateway:
    """tests/fake_africastalking.py as a process on 127.0.0.1, with a fresh username and API key."""

    def __init__(self, workdir: Path, port: int):
        self.username, self.api_key = "infoline", secrets.token_hex(16)
        self.port, self.log, self.sent_log = port, workdir / f"fake-at-{port}.out", workdir / f"fake-at-{port}.jsonl"
        self.process = spawn([sys.executable, "-m", "tests.fake_africastalking", "--port", str(port), "--log",
                              str(self.sent_log), "--username", self.username, "--api-key", self.api_key],
                             log=self.log)  # fmt: skip
        self.url = f"http://{HOST}:{port}"
        self._wait_listening()

    def line_env(self) -> dict[str, str]:
        """What points the line's outbox at this fake."""
        return {"AFRICASTALKING_USERNAME": self.username, "AFRICASTALKING_API_KEY": self.api_key,
                "AFRICASTALKING_API_URL": self.url}  # fmt: skip

    def control(self, **orders: object) -> None:
        """Script the fake (delay=0.05, reset=True …) through its control path."""
        import json

        connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            connection.request("POST", "/__fake/control", body=json.dumps(orders))
            if connection.getresponse().status != 200:
                raise HarnessError("the fake Africa's Talking API refused its orders")
        finally:
            connection.close()

    def messages_sent(self) -> int:
        """How many messages the fake took (one JSON line each)."""
        return sum(1 for _ in self.sent_log.open("rb")) if self.sent_log.exists() else 0

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + FAKE_START_TIMEOUT_S
        while not (self.log.exists() and self.log.read_text("utf-8", "replace").startswith("http")):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(f"the fake Africa's Talking API did not start:\n{log_tail(self.log)}")
            time.sleep(0.05)
