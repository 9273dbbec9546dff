"""One server under wrk: the floor (bench/floor_app.py) or the line (`python -m service serve`) is
started, timed to its first answer, warmed up, measured, and stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import backlog
from at_sms import FakeGateway
from harness import BENCH, HOST, HarnessError, Result, Run
from probe import free_port, wait_first_answer
from processes import log_problems, log_tail, spawn, stop
from procfs import machine_busy_now, tree_mib, tree_status, tree_values
from pyspy import finish_profiler, start_profiler
from records import PgSchema, sqlite_counts, sqlite_outbox
from server_config import base_env
from wrk import record_measured, record_warmup, run_wrk

FLOOR_APP = BENCH / "floor_app.py"
BUSY_WARNING_PCT = 15


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
    schema, dropped afterwards): its /sms result, then (--ussd, --at) its USSD and AT SMS endpoints', from the
    same process; with --at the fake of Africa's Talking's API runs beside it, for the outbox to send to."""
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
    endpoints = [name for name, wanted in (("ussd", run.args.ussd), ("at-sms", run.args.at)) if wanted]
    also = [Result(backend=backend, server="line", workers=workers, endpoint=name) for name in endpoints]
    gateway = FakeGateway(run.workdir, free_port()) if run.args.at and run.args.at_sender else None
    env |= gateway.line_env() if gateway else {}
    schema = PgSchema(run.args.database_url) if backend == "postgresql" else None
    try:
        if schema is None:
            counts = lambda: sqlite_counts(data_dir / "infoline.db")  # noqa: E731
            outbox = lambda: sqlite_outbox(data_dir / "infoline.db")  # noqa: E731
            return [bench_server(run, result, command, env, records=counts, outbox=outbox, also=also), *also]
        env |= {"DATABASE_URL": schema.line_url}
        return [bench_server(run, result, command, env, records=schema.counts, outbox=schema.outbox, also=also),
                *also]  # fmt: skip
    finally:
        if gateway:
            for each in (each for each in also if each.endpoint == "at-sms"):
                each.backlog["fake_took"] = gateway.messages_sent()
            stop(gateway.process)
        if schema:
            schema.drop()


def bench_server(
    run: Run,
    result: Result,
    command: list[str],
    env: dict[str, str],
    records: Callable[[], dict] | None = None,
    also: list[Result] | None = None,
    outbox: Callable[[], dict[str, int]] | None = None,
) -> Result:
    """Cold start, warm-up and measured run of one server, then of each endpoint in `also` (USSD, AT SMS:
    filled in place) on the same process; `records` counts what it stored, `outbox` its outbox's states."""
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
            sampler = backlog.watch(outbox) if outbox and extra.endpoint == "at-sms" else None
            drive(run, extra, process, log)
            if sampler:
                wait = run.args.drain_timeout if run.args.at_sender else 0.0  # no sender: nothing drains
                print(f"[{extra.label}] waiting for the outbox to drain (at most {wait:g} s)", flush=True)
                extra.backlog = backlog.finish(sampler, measured_s=run.args.seconds, drain_timeout=wait)
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
    # /sms reads workdir/warmup.N.tsv and measure.N.tsv (bench/messages.py), USSD ussd-… (bench/ussd.py),
    # AT SMS at-… (bench/at_sms.py).
    files, url = {"sms": ("", run.url), "ussd": ("ussd-", run.ussd_url), "at-sms": ("at-", run.at_url)}[result.endpoint]
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
