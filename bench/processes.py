"""The child processes the harness starts (servers, wrk, py-spy), their stopping and their logs."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import ROOT, HarnessError
from procfs import descendants

# Every child still running, so that main() can stop them whatever went wrong.
STARTED: list[subprocess.Popen] = []
LOGGED_LEVELS = ("WARNING", "ERROR", "CRITICAL")


def spawn(
    command: list[str], *, log: Path, env: dict[str, str] | None = None, cpus: set[int] | None = None
) -> subprocess.Popen:
    """Start a child writing to `log`, in its own session (a terminal's Ctrl-C reaches the harness,
    which stops it), pinned to `cpus` if given."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with open(log, "ab") as log_file:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=pin,
        )
    STARTED.append(process)
    return process


def stop(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    """SIGTERM (uvicorn shuts down gracefully, its supervisor stops its workers), then SIGKILL; by id: this
    process, and its descendants should any outlive it."""
    if process.poll() is None:
        children = descendants(process.pid)
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
        kill_leftovers(children, grace=grace)
    if process in STARTED:
        STARTED.remove(process)


def kill_leftovers(pids: list[int], *, grace: float) -> None:
    """SIGKILL, by id, those of `pids` still there after `grace` (a supervisor killed before its workers)."""
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
        time.sleep(0.05)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def stop_all() -> None:
    for process in list(STARTED):
        stop(process, grace=5.0)


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def log_problems(log: Path) -> dict[str, int]:
    """Warnings and errors the server logged (JSON lines or plain text), counted by message."""
    found: dict[str, int] = {}
    if not log.exists():
        return found
    for line in log.read_text("utf-8", "replace").splitlines():
        message = problem_in(line)
        if message is not None:
            found[message] = found.get(message, 0) + 1
    return found


def problem_in(line: str) -> str | None:
    """The warning or error a log line reports, or None."""
    try:
        entry = json.loads(line)
    except ValueError:
        entry = None
    if isinstance(entry, dict):
        if str(entry.get("levelname", "")).upper() not in LOGGED_LEVELS:
            return None
        return f"{entry.get('levelname')} {entry.get('name', '')}: {entry.get('message', '')}"
    if any(word in line for word in (*LOGGED_LEVELS, "Traceback")):
        return line.strip()[:160]
    return None


def in_scratch(prefix: str, work: Callable[[Path], int], *, cleanup: Callable[[], None] = lambda: None) -> int:
    """work(a scratch directory) -> its exit status, with every bench's exits: 1 and the reason for a
    HarnessError, 130 for Ctrl-C; the servers stopped, cleanup() run and the directory removed whatever happens."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return work(workdir)
    except HarnessError as error:
        print(f"bench: harness failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        stop_all()
        cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
