"""Driving wrk over the precomputed messages (wrk_requests.lua) and reading what it reports."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

from harness import BENCH, HarnessError, Result, Run
from processes import spawn, stop
from procfs import cpu_seconds, machine_busy_ticks, tree_cpu_seconds

LUA_SCRIPT = BENCH / "wrk_requests.lua"
SAMPLE_EVERY_S = 0.25
# wrk first loads its files, then sends for `duration`; CPU is counted only well inside the sending.
SETTLE_S, TAIL_S = 0.5, 0.1


class Sampler(threading.Thread):
    """Samples server, wrk and machine CPU every SAMPLE_EVERY_S while wrk runs."""

    def __init__(self, server_pid: int, wrk_pid: int):
        super().__init__(daemon=True)
        self.server_pid, self.wrk_pid = server_pid, wrk_pid
        self.samples: list[tuple[float, float | None, float | None, int, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            busy, total = machine_busy_ticks()
            self.samples.append(
                (time.monotonic(), tree_cpu_seconds(self.server_pid), cpu_seconds(self.wrk_pid), busy, total)
            )
            self.halt.wait(SAMPLE_EVERY_S)

    def rates(self, start: float, end: float) -> dict[str, float | None]:
        """CPU use between two moments: server and wrk in % of one core, machine in % of all cores."""
        window = [s for s in self.samples if start <= s[0] <= end and s[1] is not None and s[2] is not None]
        if len(window) < 2:
            return {"server_cpu_pct": None, "wrk_cpu_pct": None, "machine_busy_pct": None}
        first, last = window[0], window[-1]
        seconds = last[0] - first[0]
        return {
            "server_cpu_pct": 100 * (last[1] - first[1]) / seconds,
            "wrk_cpu_pct": 100 * (last[2] - first[2]) / seconds,
            "machine_busy_pct": 100 * (last[3] - first[3]) / max(1, last[4] - first[4]),
        }


def run_wrk(
    run: Run, *, prefix: Path, seconds: float, server_pid: int, out: Path, cpus: set[int] | None, url: str = ""
) -> tuple[dict, dict]:
    """wrk for `seconds` over the thread files at `prefix` against url (default /sms), its output in `out`:
    (its BENCH_JSON summary, the CPU rates while it sent)."""
    a = run.args
    command = [
        "wrk",
        f"-t{a.threads}",
        f"-c{a.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA_SCRIPT),
        url or run.url,
        "--",
        str(prefix),
    ]
    process = spawn(command, log=out, cpus=cpus)
    sampler = Sampler(server_pid, process.pid)
    sampler.start()
    try:
        process.wait(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"wrk did not finish within {seconds + 60:.0f} s") from None
    finally:
        sampler.halt.set()
        sampler.join()
        stop(process, grace=1.0)
    ended = time.monotonic()
    summary = bench_json(out.read_text("utf-8", "replace"), process.returncode)
    started_sending = ended - summary["duration_us"] / 1e6
    return summary, sampler.rates(started_sending + SETTLE_S, ended - TAIL_S)


def bench_json(output: str, returncode: int) -> dict:
    """The summary wrk_requests.lua's done() prints as 'BENCH_JSON {...}'."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON ") and returncode == 0:
            return json.loads(line.split(" ", 1)[1])
    raise HarnessError(f"wrk failed (exit {returncode}):\n{output[-2000:]}")


def record_warmup(result: Result, summary: dict) -> None:
    result.warmup_requests, result.warmup_sent = summary["requests"], summary["sent"]
    result.warmup_non_2xx, result.warmup_wraps = summary["errors"]["status"], summary["wraps"]


def record_measured(result: Result, summary: dict, rates: dict) -> None:
    latency, errors = summary["latency_us"], summary["errors"]
    result.req_s = summary["requests"] / (summary["duration_us"] / 1e6)
    result.p50_ms, result.p90_ms = latency["p50"] / 1000, latency["p90"] / 1000
    result.p99_ms, result.p999_ms, result.max_ms = latency["p99"] / 1000, latency["p999"] / 1000, latency["max"] / 1000
    result.requests, result.non_2xx = summary["requests"], errors["status"]
    result.socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    result.sent, result.pool, result.wraps = summary["sent"], summary["pool"], summary["wraps"]
    result.cpu = rates
