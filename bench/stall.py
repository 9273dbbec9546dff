"""Does an unauthenticated request stall the process? /healthz latency with and without forged floods.

    .venv/bin/python bench/stall.py [--attackers 4] [--seconds 5] [--fields 9500] [--value-bytes 0]

Starts `python -m service serve` (SQLite, a fresh DATA_DIR) on loopback; measures /healthz round trips
alone, then while `--attackers` connections keep POSTing forged 64 KiB /sms forms of `--fields` empty
fields (any signature: they can never verify), and prints p50/p99/max of both, with what the forged
requests got back and how long each took. `--pythonpath DIR` runs another checkout's service (to
compare with an older commit). Loopback only; bounded in time and count.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(port: int, pythonpath: str | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "TWILIO_AUTH_TOKEN": "stall-bench-token",
        "DATA_DIR": tempfile.mkdtemp(prefix="stall-"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "PUBLIC_BASE_URL", "ALLOWED_HOSTS"):
        env.pop(name, None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--host", HOST, "--port", str(port)],
        env=env,
        cwd=pythonpath or None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            get(port, "/healthz")
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the service did not start")


def get(port: int, path: str) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("GET", path)
    connection.getresponse().read()
    connection.close()
    return time.perf_counter() - started


def forged_body(fields: int, value_bytes: int) -> bytes:
    return b"&".join(b"k%d=" % number + b"v" * value_bytes for number in range(fields))


def attack(port: int, body: bytes, until: float, outcomes: Counter, durations: list[float]) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "Zm9yZ2Vk"}
    while time.monotonic() < until:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            connection.request("POST", "/sms", body=body, headers=headers)
            outcomes[connection.getresponse().status] += 1
        except OSError as error:
            outcomes[type(error).__name__] += 1
        finally:
            connection.close()
        durations.append(time.perf_counter() - started)


def latencies(port: int, count: int, pause: float) -> list[float]:
    found = []
    for _ in range(count):
        found.append(get(port, "/healthz"))
        time.sleep(pause)
    return found


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{name:34} n={len(values):5}  p50 {statistics.median(values) * 1000:8.2f} ms  "
        f"p99 {p99 * 1000:8.2f} ms  max {ordered[-1] * 1000:8.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--fields", type=int, default=9_500)
    parser.add_argument("--value-bytes", type=int, default=0, help="each field's value (fewer, fuller fields)")
    parser.add_argument("--pythonpath", help="run the service of another checkout")
    args = parser.parse_args()
    port = free_port()
    process = start(port, args.pythonpath)
    try:
        print(summary("/healthz alone", latencies(port, 200, 0.005)))
        body = forged_body(args.fields, args.value_bytes)
        outcomes, durations = Counter(), []
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=attack, args=(port, body, until, outcomes, durations))
            for _ in range(args.attackers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        during = latencies(port, 200, max(0.0, (args.seconds - 0.5) / 200))
        for thread in threads:
            thread.join()
        print(summary(f"/healthz under {args.attackers} forged floods", during))
        print(summary(f"forged POST ({len(body):,} bytes, {args.fields:,} fields)", durations))
        print("forged POST outcomes:", dict(outcomes))
    finally:
        process.terminate()
        process.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
