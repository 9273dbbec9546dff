"""bench/run.py's command line: the options, checked, with the lists and the environment parsed."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = "Benchmark the line against the framework's floor, on loopback, with wrk."
MAX_WORKERS = 64


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The options, checked, with --backends and --workers as lists and --line-env as a dict."""
    parser = options_parser()
    args = parser.parse_args(argv)
    backends = args.backends or ("postgresql" if args.database_url else "sqlite")
    args.backends = [b.strip() for b in backends.split(",") if b.strip()]
    for backend in args.backends:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}")
    if "postgresql" in args.backends and not args.database_url:
        parser.error("the postgresql backend needs --database-url")
    try:
        args.workers = worker_counts(args.workers)
    except ValueError as error:
        parser.error(f"--workers: {error}")
    try:
        args.line_env = dict(item.split("=", 1) for item in args.line_env)
    except ValueError:
        parser.error("--line-env takes NAME=VALUE")
    if args.seconds < 1 or args.warmup < 1:
        parser.error("--seconds and --warmup must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def worker_counts(text: str) -> list[int]:
    """'1,2' -> [1, 2]: distinct counts in the order given, each 1..MAX_WORKERS (ValueError otherwise)."""
    counts: list[int] = []
    for item in (part.strip() for part in text.split(",")):
        if not item.isdigit() or not 1 <= int(item) <= MAX_WORKERS:
            raise ValueError(f"{item!r} is not a worker count (1..{MAX_WORKERS})")
        if int(item) not in counts:
            counts.append(int(item))
    return counts


def options_parser() -> argparse.ArgumentParser:
    """Every option with its default and help."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured run per server (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per server, own messages (default 2)")
    parser.add_argument("--database-url", help="PostgreSQL URL: bench the line on it (a fresh schema, dropped after)")
    parser.add_argument(
        "--backends",
        help="comma-separated: sqlite,postgresql (default: postgresql when --database-url is given, else sqlite)",
    )
    parser.add_argument(
        "--workers",
        default="1",
        metavar="N[,N...]",
        help="comma-separated worker-process counts for the line (`serve --workers N`), e.g. 1,2; the line "
        "runs once per count and backend, the floor once with 1 (default 1)",
    )
    parser.add_argument(
        "--caps",
        choices=["high", "real"],
        default="high",
        help="high (default): programs with reply caps of 1,000,000, every request gets a full "
        "reply; real: the programs file's own caps",
    )
    parser.add_argument(
        "--ussd",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after /sms, drive the line's USSD endpoint (/ussd/africastalking) at the same load, in the same "
        "process; its own row in the table (default: on)",
    )
    parser.add_argument(
        "--at",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after USSD, drive /sms/africastalking at the same load, the fake Africa's Talking API running as a "
        "process and the line's outbox sending through it; its row, and the outbox's backlog (default: on)",
    )
    parser.add_argument(
        "--at-sender",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with --at: the fake API and the outbox's sending (default); --no-at-sender: the line has no API "
        "credentials, its replies stay queued (the webhook's rate without the sender beside it)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=180.0,
        help="after the Africa's Talking load, wait at most this long for the outbox to drain (default 180 s)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--senders", type=int, default=1000, help="distinct sender numbers (default 1000)")
    parser.add_argument(
        "--line-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the line (repeatable), e.g. MALLOC_ARENA_MAX=2, for experiments",
    )
    parser.add_argument("--pin", action="store_true", help="pin the server to CPU 0 and wrk to the other CPUs")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record the line with py-spy during the measured run into DIR (numbers are then "
        "perturbed by the sampling)",
    )
    parser.add_argument(
        "--profile-format",
        choices=["raw", "flamegraph", "speedscope"],
        default="raw",
        help="raw (default; collapsed stacks, summarised here), flamegraph (SVG) or speedscope",
    )
    parser.add_argument("--profile-rate", type=int, default=250, help="py-spy samples per second (default 250)")
    parser.add_argument(
        "--profile-nonblocking",
        action="store_true",
        help="let py-spy sample without pausing the line (less slowdown, some torn stacks)",
    )
    parser.add_argument(
        "--profile-all-threads",
        action="store_true",
        help="sample every thread, waiting ones too (default: only the one holding the GIL)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check (not a target) fails")
    return parser
