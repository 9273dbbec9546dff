"""The child processes the harness starts (servers, wrk, py-spy), their logs, and what /proc says about them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from harness import ROOT, HarnessError

# Every child still running, so that main() can stop them whatever went wrong.
STARTED: list[subprocess.Popen] = []
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
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
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL; only this process, by its id."""
    if process.poll() is None:
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
    if process in STARTED:
        STARTED.remove(process)


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


def status_value(pid: int, key: str) -> int:
    """A number from /proc/<pid>/status (kB for the Vm* lines)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise HarnessError(f"no {key} in /proc/{pid}/status")


def status_mib(pid: int, key: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) in MiB."""
    return status_value(pid, key) / 1024


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def machine_busy_now(seconds: float = 0.5, tries: int = 4, quiet: float = 15.0) -> float:
    """% of all CPUs busy over a short look before a server starts (other work skews the numbers);
    looks again, up to `tries` times, while it is above `quiet` (e.g. the kernel freeing wrk's memory)."""
    busy_pct = 0.0
    for _ in range(tries):
        busy0, total0 = machine_busy_ticks()
        time.sleep(seconds)
        busy1, total1 = machine_busy_ticks()
        busy_pct = 100 * (busy1 - busy0) / max(1, total1 - total0)
        if busy_pct <= quiet:
            break
    return busy_pct
