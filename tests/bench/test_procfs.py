"""The bench's /proc readings over a process tree (a supervisor and its workers), on real processes."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from procfs import descendants, status_value, tree_cpu_seconds, tree_status, tree_values  # noqa: E402

WAITER = "import sys; sys.stdin.read()"
# A parent that starts two waiting children, works a moment (so the tree has used CPU time that /proc's
# 10 ms ticks show, however idle the machine), says their pids, and waits on its stdin.
PARENT = f"""
import subprocess, sys
children = [subprocess.Popen([sys.executable, "-c", {WAITER!r}], stdin=subprocess.PIPE) for _ in range(2)]
sum(range(5_000_000))
print(" ".join(str(child.pid) for child in children), flush=True)
sys.stdin.read()
for child in children:
    child.stdin.close()
    child.wait()
"""


def start(code: str) -> subprocess.Popen:
    """A Python process running `code`, stopped by closing its stdin."""
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_a_tree_is_its_root_then_every_descendant_and_sums_over_them():
    parent = start(PARENT)
    try:
        children = [int(pid) for pid in parent.stdout.readline().split()]
        assert sorted(descendants(parent.pid)) == sorted(children)
        rss_before = [status_value(pid, "VmRSS") for pid in (parent.pid, *descendants(parent.pid))]
        peaks = tree_values(parent.pid, "VmHWM")
        assert len(peaks) == 3
        assert all(peak >= rss for peak, rss in zip(peaks, rss_before, strict=True))  # a peak is never below
        threads = tree_values(parent.pid, "Threads")
        assert tree_status(parent.pid, "Threads") == sum(threads) >= 3
        assert tree_cpu_seconds(parent.pid) > 0
    finally:
        parent.stdin.close()
        parent.wait(timeout=30)
    assert tree_cpu_seconds(parent.pid) is None  # reaped: gone from /proc


def test_a_process_without_children_is_a_tree_of_one():
    # Read once it has started: a process still loading grows between two readings.
    waiter = start("import sys; print('ready', flush=True); sys.stdin.read()")
    try:
        assert waiter.stdout.readline() == "ready\n"
        assert descendants(waiter.pid) == []
        assert tree_values(waiter.pid, "VmHWM") == [status_value(waiter.pid, "VmHWM")]
    finally:
        waiter.stdin.close()
        waiter.wait(timeout=30)
