"""--profile: py-spy records the line during its measured run; raw stacks are summarised and printed."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from harness import HarnessError, Result, Run
from processes import log_tail, spawn, stop

SUFFIXES = {"raw": "txt", "flamegraph": "svg", "speedscope": "speedscope.json"}
TOP_FUNCTIONS = 15
# Frames every sample passes through (interpreter, event loop, worker threads): left out of "by total".
SCAFFOLD_FILES = (
    "<frozen runpy>",
    "threading.py",
    "asyncio/runners.py",
    "asyncio/base_events.py",
    "asyncio/events.py",
    "uvicorn/main.py",
    "uvicorn/server.py",
    "uvicorn/_compat.py",
    "service/__main__.py",
    "service/cli.py",
)


def py_spy_path() -> str:
    """py-spy on PATH or next to this Python (the venv's bin/, which need not be on PATH)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise HarnessError("--profile needs py-spy: .venv/bin/pip install py-spy")
    return py_spy


def start_profiler(run: Run, result: Result, pid: int) -> tuple[subprocess.Popen, Path, Path]:
    """py-spy recording `pid` (and, for several workers, its child processes) for the measured run."""
    a = run.args
    stem = f"line-{result.backend}" + (f"-x{result.workers}" if result.workers > 1 else "")
    out = a.profile / f"{stem}.{SUFFIXES[a.profile_format]}"
    command = [
        py_spy_path(),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(a.seconds)),
        "--rate",
        str(a.profile_rate),
        "--format",
        a.profile_format,
        "--output",
        str(out),
    ]
    if a.profile_format == "raw":
        command.append("--function")
    if not a.profile_all_threads:
        command.append("--gil")  # only the thread holding the GIL: where the CPU goes, not who waits
    if result.workers > 1:
        command.append("--subprocesses")  # the supervisor only waits: the workers do the work
    if a.profile_nonblocking:
        command.append("--nonblocking")  # don't pause the line to sample: less perturbation, rougher stacks
    log = run.workdir / f"py-spy-{stem}.log"
    return spawn(command, log=log), out, log


def finish_profiler(run: Run, result: Result, profiler: tuple[subprocess.Popen, Path, Path]) -> dict:
    """Waits for py-spy to write its file (it stops by itself after --duration); the summary of raw stacks."""
    process, out, log = profiler
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    stop(process)
    if not out.exists():
        print(f"py-spy wrote nothing:\n{log_tail(log)}", file=sys.stderr)
        return {}
    print(f"[{result.label}] profile: {out}", flush=True)
    return summarise_collapsed(out) if run.args.profile_format == "raw" else {}


def frame_file(frame: str) -> str:
    """'name (path/file.py:12)' -> 'path/file.py'."""
    inner = frame.rpartition(" (")[2].rstrip(")")
    return inner.rpartition(":")[0] or inner


def frame_package(frame: str) -> str:
    """What a frame belongs to: the service's subpackage, else the library's top-level name."""
    parts = frame_file(frame).split("/")
    if parts[0] == "service" and len(parts) > 2:
        return "/".join(parts[:2])
    if parts[0] in ("<string>", "<frozen runpy>") or len(parts) == 1:
        return parts[0].removesuffix(".py")
    return parts[0]


def summarise_collapsed(path: Path) -> dict:
    """From py-spy's collapsed (raw) stacks: the share of samples per function by own time and by total
    time (the scaffolding every sample passes through left out), and own time per package."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    package: Counter[str] = Counter()
    for line in path.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame.strip() for frame in stack.split(";") if frame.strip()]
        if not frames or not count.isdigit():
            continue
        total.update(dict.fromkeys(frames, int(count)))  # a recursive function counts once per sample
        own[frames[-1]] += int(count)
        package[frame_package(frames[-1])] += int(count)
    samples = sum(own.values())
    if not samples:
        return {}
    rows = [
        {"function": f, "own_pct": 100 * own[f] / samples, "total_pct": 100 * n / samples} for f, n in total.items()
    ]
    by_own = sorted(rows, key=lambda r: r["own_pct"], reverse=True)[:TOP_FUNCTIONS]
    by_total = sorted(
        (r for r in rows if not frame_file(r["function"]).endswith(SCAFFOLD_FILES)),
        key=lambda r: r["total_pct"],
        reverse=True,
    )[:TOP_FUNCTIONS]
    by_package = [{"package": name, "own_pct": 100 * n / samples} for name, n in package.most_common()]
    return {"samples": samples, "by_own": by_own, "by_total": by_total, "by_package": by_package}


def print_profile(result: Result, all_threads: bool) -> None:
    profile = result.profile
    mode = "every thread" if all_threads else "the thread holding the GIL"
    print(f"  profile of the line ({result.label}; {profile['samples']:,} py-spy samples of {mode}):")
    for title, key in (
        ("by own time", "by_own"),
        ("by total time (event loop and thread scaffolding left out)", "by_total"),
    ):
        print(f"    {title}:")
        print(f"    {'own %':>6} {'total %':>8}  function")
        for row in profile[key]:
            print(f"    {row['own_pct']:>6.1f} {row['total_pct']:>8.1f}  {row['function']}")
    print(
        "    own time by package: "
        + ", ".join(f"{row['package']} {row['own_pct']:.1f}%" for row in profile["by_package"] if row["own_pct"] >= 0.5)
    )
