"""One server under wrk: the floor (bench/floor_app.py) or the line (`python -m service serve`) is
started, timed to its first answer, warmed up, measured, and stopped."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from harness import BENCH, HOST, HarnessError, Result, Run
from messages import probe_request
from processes import log_problems, log_tail, spawn, stop
from procfs import machine_busy_now, tree_mib, tree_status, tree_values
from pyspy import finish_profiler, start_profiler
from records import PgSchema, sqlite_counts
from server_config import base_env
from wrk import record_measured, record_warmup, run_wrk

FLOOR_APP = BENCH / "floor_app.py"
BUSY_WARNING_PCT = 15
FIRST_ANSWER_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def bench_floor(run: Run) -> Result:
    command = [
        sys.executable,
        str(FLOOR_APP),
        "--host",
        HOST,
        "--port",
        str(run.port),
        "--log-level",
        "WARNING",
        "--uvicorn-options",
        json.dumps(run.serve_options),
    ]
    return bench_server(run, Result(backend="-", server="floor"), command, base_env())


def bench_line(run: Run, backend: str, programs_file: Path | None, *, workers: int = 1) -> list[Result]:
    """The line with `workers` worker processes on SQLite (a fresh DATA_DIR) or PostgreSQL (a fresh
    schema, dropped afterwards): its /sms result, then (--ussd) its USSD endpoint's, from the same process."""
    data_dir = run.workdir / f"data-{backend}-{workers}"
    data_dir.mkdir()
    env = base_env() | {
        "TWILIO_AUTH_TOKEN": run.token,
        "LOG_LEVEL": "WARNING",
        "PHONE_HASH_KEY": run.hash_key,
        "DATA_DIR": str(data_dir),
        "AFRICASTALKING_CALLBACK_KEY": run.callback_key,
    }
    if programs_file:
        env["PROGRAMS_FILE"] = str(programs_file)
    env.update(run.args.line_env)
    command = [sys.executable, "-m", "service", "serve", "--host", HOST, "--port", str(run.port)]
    if workers > 1:  # serve's default is one worker, run in-process: that command line stays as it was
        command += ["--workers", str(workers)]
    result = Result(backend=backend, server="line", workers=workers)
    also = [Result(backend=backend, server="line", workers=workers, endpoint="ussd")] if run.args.ussd else []
    if backend == "sqlite":
        counts = lambda: sqlite_counts(data_dir / "infoline.db")  # noqa: E731
        return [bench_server(run, result, command, env, records=counts, also=also), *also]
    schema = PgSchema(run.args.database_url)
    try:
        env |= {"DATABASE_URL": schema.line_url}
        return [bench_server(run, result, command, env, records=schema.counts, also=also), *also]
    finally:
        schema.drop()


def bench_server(
    run: Run,
    result: Result,
    command: list[str],
    env: dict[str, str],
    records: Callable[[], dict] | None = None,
    also: list[Result] | None = None,
) -> Result:
    """Cold start, warm-up and measured run of one server, then of each endpoint in `also` (the USSD
    endpoint, filled in place) on the same process; `records` counts what it stored."""
    also = also or []
    check_machine_idle(result)
    log = run.workdir / f"{result.backend}-{result.name.replace(' ', '-')}.log"
    cpus = {0} if run.args.pin else None
    print(f"[{result.label}] starting: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    process = spawn(command, env=env, log=log, cpus=cpus)
    try:
        result.cold_start_s, first = wait_first_answer(run, process, started, log)
        result.rss_started_mib = tree_mib(process.pid, "VmRSS")  # workers still starting are not in it yet
        if result.server == "line" and "</Message>" not in first:
            raise HarnessError(f"the line's first answer has no message: {first[:300]}")
        print(
            f"[{result.label}] pid {process.pid}, first signed answer after {result.cold_start_s:.3f} s; "
            f"warm-up {run.args.warmup:g} s",
            flush=True,
        )
        drive(run, result, process, log)
        for extra in also:
            extra.cold_start_s, extra.rss_started_mib = result.cold_start_s, result.rss_started_mib
            print(f"[{extra.label}] warm-up {run.args.warmup:g} s", flush=True)
            drive(run, extra, process, log)
    finally:
        stop(process)
    for each in (result, *also):
        each.log_problems = log_problems(log)
        if records is not None:
            each.records = records()
        print(
            f"[{each.label}] {each.req_s:,.0f} req/s, p99 {each.p99_ms:.2f} ms, peak RSS {each.peak_rss_mib:.1f} MiB",
            flush=True,
        )
    return result


def check_machine_idle(result: Result) -> None:
    """Other work on the machine skews the numbers: measure it before the start, warn when it is high."""
    result.busy_before_pct = machine_busy_now(quiet=BUSY_WARNING_PCT)
    if result.busy_before_pct > BUSY_WARNING_PCT:
        print(
            f"[{result.label}] WARNING: the machine is already {result.busy_before_pct:.0f}% busy before "
            "the start; other work will skew these numbers",
            flush=True,
        )


def drive(run: Run, result: Result, process: subprocess.Popen, log: Path) -> None:
    """wrk's warm-up, then its measured run (under py-spy for the line with --profile); the server's
    memory and threads afterwards."""
    a = run.args
    wrk_cpus = set(range(1, os.cpu_count() or 2)) if a.pin else None
    # /sms reads workdir/warmup.N.tsv and measure.N.tsv (bench/messages.py), USSD ussd-… (bench/ussd.py).
    files, url = ("", run.url) if result.endpoint == "sms" else (f"{result.endpoint}-", run.ussd_url)
    warm, _ = run_wrk(
        run,
        url=url,
        prefix=run.workdir / f"{files}warmup",
        seconds=a.warmup,
        server_pid=process.pid,
        out=log.with_suffix(f".{files}warmup.wrk.out"),
        cpus=wrk_cpus,
    )
    record_warmup(result, warm)
    print(f"[{result.label}] measuring {a.seconds:g} s", flush=True)
    profiling = a.profile and result.server == "line" and result.endpoint == "sms"
    profiler = start_profiler(run, result, process.pid) if profiling else None
    summary, rates = run_wrk(
        run,
        url=url,
        prefix=run.workdir / f"{files}measure",
        seconds=a.seconds,
        server_pid=process.pid,
        out=log.with_suffix(f".{files}wrk.out"),
        cpus=wrk_cpus,
    )
    record_measured(result, summary, rates)
    if profiler is not None:
        result.profile = finish_profiler(run, result, profiler)
    if process.poll() is not None:
        raise HarnessError(f"the server died under load:\n{log_tail(log)}")
    # With workers: the sum of each process's own peak (supervisor and workers), not one moment's total.
    result.rss_by_process = [kib / 1024 for kib in tree_values(process.pid, "VmHWM")]
    result.peak_rss_mib, result.processes = sum(result.rss_by_process), len(result.rss_by_process)
    result.threads = tree_status(process.pid, "Threads")


def wait_first_answer(run: Run, process: subprocess.Popen, started: float, log: Path) -> tuple[float, str]:
    """Seconds from spawn to the first answered signed POST /sms (polled in a tight loop), and the answer."""
    body, headers = probe_request(run)
    while True:
        if process.poll() is not None:
            raise HarnessError(f"the server exited with {process.returncode} before answering:\n{log_tail(log)}")
        connection = http.client.HTTPConnection(HOST, run.port, timeout=10)
        try:
            connection.request("POST", "/sms", body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            elapsed = time.monotonic() - started
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            if time.monotonic() - started > FIRST_ANSWER_TIMEOUT_S:
                raise HarnessError(
                    f"the server did not answer within {FIRST_ANSWER_TIMEOUT_S:.0f} s:\n{log_tail(log)}"
                ) from None
            time.sleep(0.002)
            continue
        finally:
            connection.close()
        if response.status != 200:
            raise HarnessError(f"the first signed request got HTTP {response.status}: {text.strip()[:300]}")
        return elapsed, text
