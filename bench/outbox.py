"""The outbox's sender with one worker: N replies queued through the real webhook, then sent through the
fake Africa's Talking API run as a process; sends/s until every one is sent (target >= 200), with the fake
answering at once and after each --delays (a real gateway's latency).

    .venv/bin/python bench/outbox.py [--replies 5000] [--delays 0,0.05] [--concurrency N]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
    make bench-outbox

Per delay, on a fresh database (SQLite in a scratch DATA_DIR; PostgreSQL in a fresh schema, dropped after):
  1. the line starts without Africa's Talking's API credentials (its replies wait in the outbox) and is
     sent --replies texts at /sms/africastalking?key=… (each its own id, from 1,000 Kenyan numbers, no
     STOP), by 4 keep-alive clients; then it stops;
  2. the fake starts (tests/fake_africastalking.py, its --log counting what it took) with the delay, and
     the line starts again pointed at it (one worker; OUTBOX_CONCURRENCY its default, or --concurrency);
  3. the outbox's states are read every 50 ms until nothing is queued or sending: sends/s is what was sent
     from the first look once the line answers /healthz to the last (its start-up not counted), and "from
     start" since its process was spawned. The fake's count must equal the rows sent (none sent twice).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import random
import secrets
import sys
import time
from pathlib import Path

from at_sms import FakeGateway, at_form, at_id, kenyan_numbers
from harness import HOST, HarnessError, verdict
from messages import KEYWORD_MIX, STOP_WORD
from probe import free_port
from processes import in_scratch, log_problems, log_tail, spawn, stop
from procfs import tree_cpu_seconds
from records import PgSchema, plain_url, sqlite_outbox
from server_config import base_env, high_cap_programs

TARGET_SENDS_S = 200.0
POLL_S = 0.05
POSTERS = 4
START_TIMEOUT_S = 30.0
DRAIN_TIMEOUT_S = 300.0
BUSY = ("queued", "sending")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/outbox.py", description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=5000, help="replies queued, then sent (default 5,000)")
    parser.add_argument("--delays", default="0,0.05", help="the fake's delay per answer, s, one run each")
    parser.add_argument("--concurrency", type=int, help="the line's OUTBOX_CONCURRENCY (default: the line's own)")
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite (a fresh schema per run)")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    try:
        args.delays = [float(item) for item in args.delays.split(",")]
    except ValueError:
        parser.error("--delays takes seconds, comma-separated: 0,0.05")
    if not (1 <= args.replies <= 100_000 and all(0 <= delay <= 5 for delay in args.delays)):
        parser.error("--replies 1..100,000; each delay 0..5 s")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def work(workdir: Path) -> int:
        print_table(args, [bench_delay(args, workdir / f"run-{n}", delay) for n, delay in enumerate(args.delays)])
        return 0

    return in_scratch("infoline-outbox-", work)


def bench_delay(args: argparse.Namespace, workdir: Path, delay: float) -> dict:
    """One run: queue, then send through the fake answering after `delay`; its numbers."""
    workdir.mkdir(parents=True)
    schema = PgSchema(plain_url(args.database_url)) if args.database_url else None
    env = base_env() | {"DATA_DIR": str(workdir), "PHONE_HASH_KEY": secrets.token_hex(32), "LOG_LEVEL": "WARNING",
                        "AFRICASTALKING_CALLBACK_KEY": secrets.token_hex(16),
                        "PROGRAMS_FILE": str(high_cap_programs(workdir / "programs.toml"))}  # fmt: skip
    # Set so that the line's log holds only what this run causes (no start-up advice about them).
    env |= {"TWILIO_AUTH_TOKEN": secrets.token_hex(16), "HELP_CONTACT": "Infoline, 0800 000 000"}
    if args.concurrency:
        env["OUTBOX_CONCURRENCY"] = str(args.concurrency)
    if schema:
        env["DATABASE_URL"] = schema.line_url
    states = schema.outbox if schema else (lambda: sqlite_outbox(workdir / "infoline.db"))
    try:
        queue_replies(args, workdir, env)
        queued = states().get("queued", 0)
        print(f"[delay {delay * 1000:g} ms] {queued:,} replies queued; sending", flush=True)
        fake = FakeGateway(workdir, free_port())
        fake.control(delay=delay)
        result = send_all(workdir, env | fake.line_env(), states)
        stop(fake.process)
        return result | {"delay": delay, "queued": queued, "fake_took": fake.messages_sent()}
    finally:
        if schema:
            schema.drop()


def start_line(workdir: Path, env: dict[str, str], name: str):
    """`python -m service serve` on a free port, once /healthz answers: (process, port, log, spawned at)."""
    port, log = free_port(), workdir / f"{name}.log"
    spawned = time.monotonic()
    process = spawn([sys.executable, "-m", "service", "serve", "--host", HOST, "--port", str(port)], env=env, log=log)
    while True:
        if process.poll() is not None or time.monotonic() - spawned > START_TIMEOUT_S:
            raise HarnessError(f"the line did not start:\n{log_tail(log)}")
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, port, log, spawned
        except OSError:
            time.sleep(0.05)
        finally:
            connection.close()


def queue_replies(args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> None:
    """--replies texts through the webhook of a line that has no API to send with, so all stay queued."""
    rng = random.Random(args.seed)
    senders = kenyan_numbers(1000, rng)
    words, weights = zip(*[(word, weight) for word, weight in KEYWORD_MIX if word != STOP_WORD], strict=True)
    salt = secrets.token_hex(3)
    forms = [at_form(at_id(3, salt, n), rng.choice(senders), text)
             for n, text in enumerate(rng.choices(words, weights=weights, k=args.replies))]  # fmt: skip
    process, port, _, _ = start_line(workdir, env, "queueing")
    path = f"/sms/africastalking?key={env['AFRICASTALKING_CALLBACK_KEY']}"
    try:
        with concurrent.futures.ThreadPoolExecutor(POSTERS) as pool:
            statuses = [status for part in pool.map(lambda n: post_all(port, path, forms[n::POSTERS]), range(POSTERS))
                        for status in part]  # fmt: skip
    finally:
        stop(process)
    if set(statuses) != {200}:
        raise HarnessError(f"the webhook answered {sorted(set(statuses))}, not only 200")


def post_all(port: int, path: str, forms: list[dict[str, str]]) -> list[int]:
    """POST each form on one keep-alive connection; the statuses."""
    from messages import encode_form

    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    statuses = []
    try:
        for form in forms:
            connection.request("POST", path, body=encode_form(form).encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()
    return statuses


def send_all(workdir: Path, env: dict[str, str], states) -> dict:
    """The line started with the API and watched until nothing is queued or sending: the rate from the first
    look once it answers (its start-up not counted) to the last, and from its spawn."""
    process, _, log, spawned = start_line(workdir, env, "sending")
    first = states(), time.monotonic(), tree_cpu_seconds(process.pid)
    counts, now = first[0], first[1]
    try:
        while any(counts.get(state) for state in BUSY):
            if now - first[1] > DRAIN_TIMEOUT_S:
                raise HarnessError(f"the outbox did not drain within {DRAIN_TIMEOUT_S:g} s: {counts}")
            time.sleep(POLL_S)
            counts, now = states(), time.monotonic()
        cpu = (tree_cpu_seconds(process.pid) or 0.0) - (first[2] or 0.0)
    finally:
        stop(process)
    seconds = now - first[1]
    return {"states": counts, "sent_first": first[0].get("sent", 0), "seconds": seconds,
            "from_start": now - spawned, "cpu_pct": 100 * cpu / seconds if seconds else None,
            "problems": log_problems(log)}  # fmt: skip


def print_table(args: argparse.Namespace, results: list[dict]) -> None:
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print()
    from service.settings import Settings

    concurrency = args.concurrency or f"{Settings.model_fields['outbox_concurrency'].default} (the line's default)"
    print(
        f"{backend}, one worker, OUTBOX_CONCURRENCY {concurrency}; sends/s from the first look once the line answers to the last send (and from "
        "its spawn); line CPU in % of one core over the same window"
    )
    print(f"{'fake delay':>11}{'queued':>8}{'sent':>8}{'other':>8}{'seconds':>9}{'sends/s':>9}{'from start':>12}"
          f"{'line CPU':>10}{'fake took':>11}  target >= {TARGET_SENDS_S:g}/s")  # fmt: skip
    for r in results:
        sent = r["states"].get("sent", 0)
        other = sum(r["states"].values()) - sent
        rate = (sent - r["sent_first"]) / r["seconds"] if r["seconds"] else 0.0
        cpu = f"{r['cpu_pct']:.0f}%" if r["cpu_pct"] is not None else "?"
        print(f"{r['delay'] * 1000:>9g}ms{r['queued']:>8,}{sent:>8,}{other:>8,}{r['seconds']:>9.2f}{rate:>9,.0f}"
              f"{sent / r['from_start']:>12,.0f}{cpu:>10}{r['fake_took']:>11,}  {verdict(rate >= TARGET_SENDS_S)}")  # fmt: skip
    for r in results:
        sent = r["states"].get("sent", 0)
        twice = "none sent twice" if r["fake_took"] == sent else f"MISMATCH: fake took {r['fake_took']}, sent {sent}"
        problems = "; ".join(f"{count}x {message}" for message, count in r["problems"].items()) or "none"
        print(f"  delay {r['delay'] * 1000:g} ms: states {r['states']}; {twice}; line log problems: {problems}")


if __name__ == "__main__":
    sys.exit(main())
