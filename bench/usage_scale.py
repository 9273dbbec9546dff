"""Usage at scale: a month of a national line (2,000,000 records, ~67,000 a day) and its daily rollups, then
GET /admin/usage and /admin/usage.csv (30 days) timed through a running line, against the query usage ran
before the rollups (a scan of the records) on the same data.

    .venv/bin/python bench/usage_scale.py [--records 2000000] [--days 30] [--mix wide|narrow] [--repeat 10]
        [--old-repeat 1] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
    make bench-usage                        # SQLite (a scratch file, removed afterwards)
    make bench-usage BENCH_ARGS="--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test"

The records are written in bulk (bench/usage_data.py: SQLite executemany, PostgreSQL COPY, into a fresh
schema dropped afterwards) with the rollups they add up to, through the line's own upsert
(service.store.rollups.add_sql). The line is then `python -m service serve` with an admin token; each page
is fetched twice to warm up, then --repeat times (keep-alive, a bearer token). Target: <= 200 ms.
Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import secrets
import statistics
import sys
import time
from pathlib import Path

from harness import HOST, HarnessError, verdict
from probe import free_port
from processes import in_scratch, log_tail, spawn, stop
from records import PgSchema, plain_url
from server_config import base_env
from usage_store import create, new_usage, old_usage, write_month

TARGET_MS = 200.0
PAGES = ("/admin/usage?days=30", "/admin/usage.csv?days=30")
START_TIMEOUT_S = 60.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/usage_scale.py", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000_000, help="records to write (default 2,000,000)")
    parser.add_argument("--days", type=int, default=30, help="the days they spread over, up to now (default 30)")
    parser.add_argument("--repeat", type=int, default=10, help="timed fetches of each page (default 10)")
    parser.add_argument("--old-repeat", type=int, default=1, help="runs of the old scan (default 1)")
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite (a fresh schema, dropped after)")
    parser.add_argument(
        "--mix",
        choices=["wide", "narrow"],
        default="wide",
        help="wide: 2 programs, 4 channels, 10 languages; narrow: 1, 2, 2 (bench/usage_data.py)",
    )
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    if not (1 <= args.records <= 20_000_000 and 1 <= args.days <= 366 and 1 <= args.repeat <= 1000):
        parser.error("--records 1..20,000,000, --days 1..366, --repeat 1..1000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    schema = PgSchema(plain_url(args.database_url)) if args.database_url else None

    def work(workdir: Path) -> int:
        bench(args, workdir, schema.line_url if schema else f"sqlite:///{workdir / 'infoline.db'}")
        return 0

    return in_scratch("infoline-usage-", work, cleanup=schema.drop if schema else lambda: None)


def bench(args: argparse.Namespace, workdir: Path, url: str) -> None:
    """Write the month, time the pages through the line, then the old scan; print the table."""
    backend = "PostgreSQL" if args.database_url else "SQLite"
    now = datetime.datetime.now(datetime.UTC)
    create(url)
    keys, seconds = write_month(url, count=args.records, days=args.days, now=now, seed=args.seed, mix=args.mix)
    print(f"{backend}: wrote {args.records:,} records and {keys:,} rollup rows in {seconds:.1f} s", flush=True)
    token = secrets.token_hex(16)
    timings = time_pages(args, workdir, url, token)
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    new = [new_usage(url, since=since) for _ in range(args.repeat)]
    old = [old_usage(url, since=since) for _ in range(args.old_repeat)]
    print()
    print(f"{backend}, {args.records:,} records over {args.days} days ({args.mix} mix), {keys:,} rollup rows; ms over "
          f"{args.repeat} fetches after 2 warm-ups")  # fmt: skip
    print(f"{'what':<34}{'min':>9}{'median':>9}{'max':>9}{'bytes':>10}  target <= {TARGET_MS:g} ms")
    for page, (times, size) in timings.items():
        median = statistics.median(times)
        print(f"{page:<34}{min(times):>9.1f}{median:>9.1f}{max(times):>9.1f}{size:>10,}  "
              f"{verdict(median <= TARGET_MS)}")  # fmt: skip
    new_ms = [1000 * seconds for seconds, _ in new]
    print(f"{'rollups query alone (in process)':<34}{min(new_ms):>9.1f}{statistics.median(new_ms):>9.1f}"
          f"{max(new_ms):>9.1f}{'':>10}  ({new[0][1]:,} rows)")  # fmt: skip
    old_ms = [1000 * seconds for seconds, _, _ in old]
    print(f"{'old scan of the records (query)':<34}{min(old_ms):>9.1f}{statistics.median(old_ms):>9.1f}"
          f"{max(old_ms):>9.1f}{'':>10}  ({old[0][1]:,} groups, {old[0][2]:,} messages)")  # fmt: skip


def time_pages(args: argparse.Namespace, workdir: Path, url: str, token: str) -> dict[str, tuple[list[float], int]]:
    """Each page's fetch times (ms) and size, through `python -m service serve` on the database."""
    port = free_port()
    # On SQLite, DATA_DIR's infoline.db is the month just written.
    env = base_env() | {"DATA_DIR": str(workdir), "ADMIN_TOKEN": token, "LOG_LEVEL": "WARNING"}
    if args.database_url:
        env["DATABASE_URL"] = url
    log = workdir / "line.log"
    process = spawn([sys.executable, "-m", "service", "serve", "--host", HOST, "--port", str(port)], env=env, log=log)
    try:
        connection = wait_until_up(port, process, log)
        headers = {"Authorization": f"Bearer {token}"}
        return {page: fetch_times(connection, page, headers, args.repeat) for page in PAGES}
    finally:
        stop(process)


def fetch_times(connection: http.client.HTTPConnection, page: str, headers: dict, repeat: int):
    """(ms of each of `repeat` fetches after two warm-ups, the body's size); HarnessError unless 200."""
    times, size = [], 0
    for turn in range(repeat + 2):
        started = time.monotonic()
        connection.request("GET", page, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = 1000 * (time.monotonic() - started)
        if response.status != 200:
            raise HarnessError(f"GET {page}: HTTP {response.status}: {body[:200]!r}")
        if turn >= 2:
            times.append(elapsed)
        size = len(body)
    return times, size


def wait_until_up(port: int, process, log: Path) -> http.client.HTTPConnection:
    """A keep-alive connection to the line once /healthz answers (HarnessError if it never does)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HarnessError(f"the line exited with {process.returncode}:\n{log_tail(log)}")
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().read() is not None:
                return connection
        except OSError:
            connection.close()
            time.sleep(0.05)
    raise HarnessError(f"the line did not answer within {START_TIMEOUT_S:.0f} s:\n{log_tail(log)}")


if __name__ == "__main__":
    sys.exit(main())
