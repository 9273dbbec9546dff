"""Benchmark the line against the framework's floor, on loopback, with wrk.

    .venv/bin/python bench/run.py [--seconds 10] [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--backends sqlite,postgresql] [--workers 1,2] [--caps high|real] [--no-ussd] [--no-at] [--profile DIR]
        [--json FILE]
        (see --help)

One run:
  1. precomputes signed Twilio form POSTs, every one a distinct message (its own
     MessageSid; ~1,000 senders; a mix of keywords, menu numbers, sentences,
     LANG, HELP and a few STOP/START), split into one file per wrk thread;
  2. starts the floor (bench/floor_app.py: a FastAPI app answering a fixed TwiML,
     served by uvicorn exactly as `python -m service serve` serves the line),
     measures its cold start, warms it up and drives it with wrk;
  3. does the same for the line, `python -m service serve`, on SQLite (a fresh
     DATA_DIR) and/or PostgreSQL (a fresh schema, created and dropped here),
     once per --workers count (`serve --workers N`: uvicorn's supervisor and N
     worker processes; RSS and CPU are then summed over that process tree);
  4. with --ussd (the default), drives the same line's USSD endpoint after /sms, in the same process and
     at the same load (every step its own sessionId, so each is a new record), its own row in the table;
     with --at (the default), then Africa's Talking's incoming-SMS webhook the same way (every text its own
     id), the fake of AT's API (tests/fake_africastalking.py) running as a process from the line's start
     and the line's outbox sending the replies through it, as in production: its row, and the outbox's
     backlog sampled every second during the run and after it until drained (bench/backlog.py);
  5. prints req/s, p50/p99 latency, non-2xx, peak RSS, cold start, the ratio
     line/floor, PASS/MISS per target (for the 1-worker line; other counts are
     reported against it), and checks that the line recorded every
     message it answered (answered 2xx <= records <= requests sent);
  6. with --profile DIR, records the line with py-spy during its measured run
     (.venv/bin/pip install py-spy) and prints the top functions.

Without --database-url the line runs on SQLite; with it, on PostgreSQL
(--backends sqlite,postgresql: both, against one floor measurement).

The floor and the line listen on the same port, one after the other, so both
get byte-identical signed requests. By default the line runs with a copy of the
programs file whose reply caps are 1,000,000 (so every request gets a full
reply); `--caps real` uses the real caps (most requests then get an empty
<Response/> once senders pass them, still the full store read and write).

Exit status: 0 when the harness ran (targets and checks are reported, not
enforced, unless --strict), 1 when the harness itself failed, 2 for bad usage
(e.g. wrk missing).
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import sys
from pathlib import Path
from types import FrameType

from at_sms import prepare_at
from harness import Run
from messages import prepare_messages
from options import parse_args
from probe import free_port
from processes import in_scratch
from pyspy import py_spy_path
from records import PgSchema
from report import report
from server_config import high_cap_programs, serve_options
from servers import bench_floor, bench_line
from ussd import prepare_ussd


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # stopped like Ctrl-C: the same clean-up


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "bench: wrk is not installed. Install it with:  apt-get update && apt-get install -y wrk\n"
            "(or run `make bench`, which does that)",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (`cmd &`)
    return in_scratch("infoline-bench-", lambda workdir: bench(args, workdir))


def bench(args: argparse.Namespace, workdir: Path) -> int:
    """The floor, then the line on each backend; the report. The exit status (HarnessError: failed)."""
    if args.profile:
        py_spy_path()  # missing py-spy fails now, not after the floor's run
        args.profile.mkdir(parents=True, exist_ok=True)
    if "postgresql" in args.backends:
        PgSchema(args.database_url).drop()  # reachable and allowed to create a schema, before anything runs
    run = Run(
        args=args,
        workdir=workdir,
        port=free_port(),
        token=secrets.token_hex(16),
        salt=secrets.token_hex(3),
        hash_key=secrets.token_hex(32),
        serve_options=serve_options(workdir),
        callback_key=secrets.token_hex(16),
    )
    senders = prepare_messages(run)
    if args.ussd:
        prepare_ussd(run, senders)
    if args.at:
        prepare_at(run)
    programs_file = high_cap_programs(workdir / "programs.toml") if args.caps == "high" else None
    floor = bench_floor(run)
    lines = [
        result
        for backend in args.backends
        for workers in args.workers
        for result in bench_line(run, backend, programs_file, workers=workers)
    ]
    failed = report(run, floor, lines)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"floor": vars(floor), "lines": [vars(r) for r in lines], "failed_checks": failed},
                indent=2,
                default=str,
            )
        )
    return 1 if (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
