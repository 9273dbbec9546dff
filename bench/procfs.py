"""What /proc says about the harness's children: memory, CPU and threads, of one process or of its whole
tree (uvicorn's supervisor and its workers), and how busy the machine is."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from harness import HarnessError

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def status_value(pid: int, key: str) -> int:
    """A number from /proc/<pid>/status (kB for the Vm* lines)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise HarnessError(f"no {key} in /proc/{pid}/status")


def status_mib(pid: int, key: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) in MiB."""
    return status_value(pid, key) / 1024


def descendants(pid: int) -> list[int]:
    """The children of `pid`, theirs, and so on (uvicorn's workers and multiprocessing's helpers), from
    /proc/<pid>/task/*/children; a process gone meanwhile is left out."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids = [int(child) for child in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        for child in pids:
            found += [child, *descendants(child)]
    return found


def tree(pid: int) -> list[int]:
    """`pid` and its descendants."""
    return [pid, *descendants(pid)]


def tree_values(pid: int, key: str) -> list[int]:
    """A /proc status number of each process in the tree, `pid` first; descendants gone meanwhile are
    left out."""
    values = [status_value(pid, key)]
    for member in descendants(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            values.append(status_value(member, key))
    return values


def tree_status(pid: int, key: str) -> int:
    """A /proc status number summed over the process tree (VmHWM: the sum of each process's own peak)."""
    return sum(tree_values(pid, key))


def tree_mib(pid: int, key: str) -> float:
    """VmRSS or VmHWM summed over the process tree, in MiB."""
    return tree_status(pid, key) / 1024


def stat_ticks(pid: int) -> list[int] | None:
    """utime, stime, cutime, cstime of a process (clock ticks; cu/cs: its reaped children's), or None
    when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return [int(value) for value in fields[11:15]]


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), or None when it is gone."""
    ticks = stat_ticks(pid)
    return None if ticks is None else (ticks[0] + ticks[1]) / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds of the process tree: `pid`'s own and its reaped children's, plus each live
    descendant's; None when `pid` is gone."""
    ticks = stat_ticks(pid)
    if ticks is None:
        return None
    return sum(ticks) / CLOCK_TICKS + sum(cpu_seconds(child) or 0.0 for child in descendants(pid))


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
