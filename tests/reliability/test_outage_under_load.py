"""PostgreSQL goes away in the middle of a load and comes back: replies continue, no opt-out is lost."""

import asyncio
import collections
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx2

from service.privacy import sender_key
from service.store import open_store
from tests.conftest import TOKEN
from tests.reliability.loadgen import drive, plan, when_answered
from tests.server import running_service
from tests.store_helpers import count_records, load_state
from tests.tcp_proxy import TcpProxy

OUTAGE_KEY = "outage-test-key-" + "0" * 32


def last_opt(conversation) -> bool:
    opted_out = False
    for text in conversation:
        if text.body in ("STOP", "START"):
            opted_out = text.body == "STOP"
    return opted_out


def test_postgres_stopped_mid_load(tmp_path, pg_schema_url):
    parts = urlsplit(pg_schema_url)
    proxy = TcpProxy(parts.port or 5432).start()
    via_proxy = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": via_proxy,
        "PHONE_HASH_KEY": OUTAGE_KEY,
        "LOG_LEVEL": "WARNING",
    }
    load = plan(senders=300, per_sender=6, seed=3)
    try:
        with running_service(env) as (url, _):
            when_answered(load.texts, 300, lambda: (proxy.stop(), threading.Timer(2.0, proxy.start).start()))
            asyncio.run(drive(url, load.conversations, concurrency=32))
            time.sleep(2.6)  # the database is back by now
            deadline = time.monotonic() + 20
            while httpx2.get(url + "/readyz").json()["spooled"]:
                assert time.monotonic() < deadline, "the spool was not applied"
                time.sleep(0.2)
            degraded = [
                line
                for line in httpx2.get(url + "/metrics").text.splitlines()
                if line.startswith("infoline_store_degraded_total{")
            ]
            server_log = Path(_.log_path).read_text(encoding="utf-8")
    finally:
        proxy.stop()
    statuses = collections.Counter(text.status for text in load.texts)
    assert statuses == {200: len(load.texts)}, (statuses, [l for l in server_log.splitlines() if "ERROR" in l][:3])
    assert degraded and any(float(line.split()[-1]) > 0 for line in degraded), "the outage should land mid-load"
    store = open_store(pg_schema_url)
    assert count_records(store) == len(load.texts)
    for conversation in load.conversations:
        state = load_state(store, sender_key(conversation[0].sender, OUTAGE_KEY.encode()))
        assert state.subscriber.opted_out == last_opt(conversation)
