"""What the harness's modules share: where things are, one run's settings, one server's result."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"


def verdict(ok: bool) -> str:
    """A target's word in the report."""
    return "PASS" if ok else "MISS"


def ok_or_fail(ok: bool) -> str:
    """A check's word in the report."""
    return "OK" if ok else "FAIL"


class HarnessError(Exception):
    """The harness could not do its job (not: the line missed a target)."""


@dataclass
class Run:
    """One invocation: its options, scratch directory and secrets, shared by the floor and the line."""

    args: argparse.Namespace
    workdir: Path
    port: int  # the floor and the line listen here one after the other, so both get the same signed requests
    token: str
    salt: str  # in every MessageSid, so no two runs share one
    hash_key: str
    serve_options: dict  # what serve gives uvicorn.run: the floor is served with the same
    probes: int = 0  # cold-start probes sent so far: each gets its own MessageSid
    callback_key: str = ""  # the line's AFRICASTALKING_CALLBACK_KEY, in the USSD callback URL

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/sms"

    @property
    def ussd_url(self) -> str:
        return f"http://{HOST}:{self.port}/ussd/africastalking?key={self.callback_key}"

    @property
    def at_url(self) -> str:
        return f"http://{HOST}:{self.port}/sms/africastalking?key={self.callback_key}"


@dataclass
class Result:
    """One server's numbers (written as is by --json)."""

    backend: str
    server: str
    workers: int = 1  # the line's worker processes (serve --workers N); RSS, CPU and threads cover them all
    # What wrk drove: /sms, "ussd" (/ussd/africastalking) or "at-sms" (/sms/africastalking), the last two
    # after /sms in the same process.
    endpoint: str = "sms"
    cold_start_s: float = 0.0
    req_s: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    p999_ms: float = 0.0
    max_ms: float = 0.0
    requests: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    sent: int = 0
    pool: int = 0
    wraps: int = 0
    warmup_requests: int = 0
    warmup_sent: int = 0
    warmup_non_2xx: int = 0
    warmup_wraps: int = 0
    peak_rss_mib: float = 0.0
    cpu: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    busy_before_pct: float = 0.0
    rss_started_mib: float = 0.0
    threads: int = 0
    processes: int = 1  # in the server's process tree after the run (supervisor, workers, helpers)
    rss_by_process: list[float] = field(default_factory=list)  # peak RSS MiB of each, the server's own first
    log_problems: dict = field(default_factory=dict)
    backlog: dict = field(default_factory=dict)  # "at-sms": the outbox sampled (bench/backlog.py), the fake's count

    def load_failures(self, *, distinct: str) -> list[str]:
        """What went wrong under wrk's load, warm-up included: non-2xx answers, or the pool of distinct
        requests (messages, sessions, texts: `distinct`) run out, so ids repeated."""
        failed = []
        if self.non_2xx or self.warmup_non_2xx:
            failed.append(f"{self.label}: {self.non_2xx + self.warmup_non_2xx} non-2xx answers")
        if self.wraps or self.warmup_wraps:
            failed.append(f"{self.label}: wrk ran out of distinct {distinct}")
        return failed

    @property
    def name(self) -> str:
        """'line' or, with several worker processes, e.g. 'line x2'; 'line ussd', 'line at-sms' for the others."""
        name = self.server if self.workers == 1 else f"{self.server} x{self.workers}"
        return name if self.endpoint == "sms" else f"{name} {self.endpoint}"

    @property
    def label(self) -> str:
        return f"{self.backend}/{self.name}"
