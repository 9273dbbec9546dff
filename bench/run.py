"""Benchmark the line against the framework's floor, on loopback, with wrk.

    .venv/bin/python bench/run.py [--seconds 10] [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--backends sqlite,postgresql] [--caps high|real] [--profile DIR] [--json FILE]   (see --help)

One run:
  1. precomputes signed Twilio form POSTs, every one a distinct message (its own
     MessageSid; ~1,000 senders; a mix of keywords, menu numbers, sentences,
     LANG, HELP and a few STOP/START), split into one file per wrk thread;
  2. starts the floor (bench/floor_app.py: a FastAPI app answering a fixed TwiML,
     served by uvicorn exactly as `python -m service serve` serves the line),
     measures its cold start, warms it up and drives it with wrk;
  3. does the same for the line, `python -m service serve`, on SQLite (a fresh
     DATA_DIR) and/or PostgreSQL (a fresh schema, created and dropped here);
  4. prints req/s, p50/p99 latency, non-2xx, peak RSS, cold start, the ratio
     line/floor, PASS/MISS per target, and checks that the line recorded every
     message it answered (answered 2xx <= records <= requests sent);
  5. with --profile DIR, records the line with py-spy during its measured run
     (.venv/bin/pip install py-spy) and prints the top functions.

Without --database-url the line runs on SQLite; with it, on PostgreSQL
(--backends sqlite,postgresql: both, against one floor measurement).

The floor and the line listen on the same port, one after the other, so both
get byte-identical signed requests. By default the line runs with a copy of the
programs file whose reply caps are 1,000,000 (so every request gets a full
reply); `--caps real` uses the real caps (most requests then get an empty
<Response/> once senders pass them, still the full store read and write).

Exit status: 0 when the harness ran (targets and checks are reported, not
enforced, unless --strict), 1 when the harness itself failed, 2 for bad usage
(e.g. wrk missing).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
LUA_SCRIPT = BENCH / "wrk_requests.lua"
FLOOR_APP = BENCH / "floor_app.py"
DEFAULT_PROGRAMS = ROOT / "content" / "programs.toml"

HOST = "127.0.0.1"
TWILIO_NUMBER = "+15005550000"
ACCOUNT_SID = "AC4f1c2e9a7b3d5e6f8a9b0c1d2e3f4a5b"
MESSAGING_SERVICE_SID = "MG9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
HIGH_CAP = 1_000_000

# Phases, encoded in the MessageSid (SM<phase:2 hex><salt:6 hex><index:24 hex>),
# so the records of each phase can be counted apart afterwards.
PHASE_PROBE, PHASE_WARMUP, PHASE_MEASURE = 1, 2, 3

# Targets for the line (reported PASS/MISS, never enforced).
TARGET_RATIO = 0.40
TARGET_P99_MS = 15.0
TARGET_RSS_MIB = 80.0
TARGET_COLD_S = 1.0

# What patients text, with weights. A STOP is followed by that sender's START a
# little later (see plan_messages), so opted-out silence stays rare.
KEYWORD_MIX: tuple[tuple[str, float], ...] = (
    ("HER2", 9), ("her2", 2), ("HORMONE", 6), ("Hormone therapy", 2), ("CHEMO", 8), ("chemo", 2),
    ("SURGERY", 5), ("RADIATION", 5), ("radiaton", 1), ("GOALS", 4),
    ("1", 3), ("2", 3), ("3", 3), ("4", 3), ("5", 3), ("6", 3),
    ("MENU", 5), ("menu", 1), ("HELP", 4), ("help", 1),
    ("surgery please", 4), ("what about chemo?", 3), ("Tell me about radiation", 2),
    ("her2 positive what does it mean", 2), ("Hi", 2), ("hello, what is this?", 2), ("Thanks!", 2),
    ("LANG ES", 2), ("LANG EN", 2),
    ("STOP", 1),
)
STOP_WORD, START_WORD = "STOP", "START"
# How many of her thread's requests later a sender who sent STOP sends START.
STOP_START_GAP_PER_THREAD = 100
PROBE_BODY = "HER2"


class HarnessError(Exception):
    """The harness could not do its job (not: the line missed a target)."""


# --------------------------------------------------------------------------- messages
def sender_numbers(count: int, rng: random.Random) -> list[str]:
    """`count` distinct +1555xxxxxxx numbers."""
    return [f"+1555{n:07d}" for n in rng.sample(range(10_000_000), count)]


def plan_messages(count: int, rng: random.Random, senders: list[str], *, stops: bool, gap: int) -> list[tuple[str, str]]:
    """(sender, body) for `count` messages. A sender who texts STOP texts START `gap` messages later and
    nothing in between, so (gap being a multiple of the wrk threads) both go through the same wrk thread,
    ~gap/threads requests apart: far more than its connections, so they arrive in order, and every other
    message still gets a full reply. Without `stops`, no STOP at all (the warm-up: wrk stops it at an
    unknown point, which could leave a sender opted out for the measured run)."""
    mix = [(body, weight) for body, weight in KEYWORD_MIX if stops or body != STOP_WORD]
    bodies, weights = zip(*mix)
    picks_body = rng.choices(bodies, weights=weights, k=count)
    starts_at: dict[int, str] = {}
    stopped: set[str] = set()
    planned = []
    for position, body in enumerate(picks_body):
        sender = starts_at.pop(position, None)
        if sender is not None:
            stopped.discard(sender)
            planned.append((sender, START_WORD))
            continue
        if len(stopped) >= len(senders):  # everyone is waiting to START (tiny --senders): HELP always answers
            planned.append((rng.choice(senders), "HELP"))
            continue
        sender = rng.choice(senders)
        while sender in stopped:
            sender = rng.choice(senders)
        if body == STOP_WORD:
            stopped.add(sender)
            at = position + gap
            while at in starts_at:
                at += gap
            starts_at[at] = sender
        planned.append((sender, body))
    return planned


def twilio_form(sid: str, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS, in Twilio's order."""
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
        "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
        "Body": body, "FromCountry": "US", "To": TWILIO_NUMBER, "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "ToZip": "", "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01",
    }


def encode_form(form: dict[str, str]) -> str:
    """application/x-www-form-urlencoded, as urllib.parse.urlencode (quote_plus) writes it."""
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in form.items())


# encode_form() for twilio_form(), with the fixed fields quoted once: str.format fills sid, sender, body.
_TEMPLATE = encode_form(twilio_form("{sid}", "{sender}", "{body}")).replace("%7B", "{").replace("%7D", "}")


def encode_twilio_form(sid: str, sender: str, body: str) -> str:
    return _TEMPLATE.format(sid=sid, sender=quote_plus(sender), body=quote_plus(body))


class FormParams(dict):
    """A form for RequestValidator.compute_signature: getall() spares it two caught exceptions per field
    (it tries MultiDict.getall, then QueryDict.getlist, then falls back to dict) -- same signature, 3x faster."""

    def getall(self, name: str) -> list[str]:
        return [self[name]]


def message_sid(phase: int, salt: str, index: int) -> str:
    return f"SM{phase:02x}{salt}{index:024x}"


def _sign_chunk(job: tuple[str, str, str, int, int, list[tuple[str, str]]]) -> list[str]:
    token, url, salt, phase, start, items = job
    validator = RequestValidator(token)
    lines = []
    for index, (sender, body) in enumerate(items, start):
        sid = message_sid(phase, salt, index)
        form = FormParams(twilio_form(sid, sender, body))
        lines.append(validator.compute_signature(url, form) + "\t" + encode_twilio_form(sid, sender, body))
    return lines


def sign_messages(*, token: str, url: str, salt: str, phase: int, planned: list[tuple[str, str]],
                  pool) -> list[str]:
    """One 'signature<TAB>body' line per planned message, signed for `url`, in order."""
    chunk = 10_000
    jobs = [(token, url, salt, phase, start, planned[start:start + chunk]) for start in range(0, len(planned), chunk)]
    lines: list[str] = []
    for part in pool.map(_sign_chunk, jobs):
        lines.extend(part)
    return lines


def write_thread_files(lines: list[str], prefix: Path, threads: int) -> None:
    """Message i goes to thread i % threads: threads walk the sequence side by side, disjointly."""
    for thread in range(threads):
        with open(f"{prefix}.{thread}.tsv", "w", encoding="ascii") as out:
            out.write("\n".join(lines[thread::threads]))
            out.write("\n")


def check_signed_lines(lines: list[str], token: str, url: str, sample: int = 200) -> None:
    """A sample of the precomputed lines parses back to its form and verifies with Twilio's validator."""
    validator = RequestValidator(token)
    for line in random.Random(1).sample(lines, min(sample, len(lines))):
        signature, body = line.split("\t", 1)
        form = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
        if body != encode_form(twilio_form(form["MessageSid"], form["From"], form["Body"])):
            raise HarnessError("a precomputed body differs from urlencode's; the template is broken")
        if not validator.validate(url, form, signature):
            raise HarnessError("a precomputed request does not verify; the signing is broken")


def high_cap_programs(source: Path, destination: Path) -> None:
    """A copy of the programs file with reply_cap and hourly_cap raised to HIGH_CAP for every program."""
    programs = tomllib.loads(source.read_text("utf-8"))["program"]
    out = ["# Written by bench/run.py: the real programs with reply caps out of the way.\n"]
    for program in programs:
        program = {**program, "reply_cap": HIGH_CAP, "hourly_cap": HIGH_CAP}
        out.append("[[program]]\n")
        for key, value in program.items():
            out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")  # JSON scalars/arrays are TOML
        out.append("\n")
    destination.write_text("".join(out), "utf-8")
    if tomllib.loads(destination.read_text("utf-8"))["program"][0]["reply_cap"] != HIGH_CAP:
        raise HarnessError("could not write the high-cap programs file")


# --------------------------------------------------------------------------- processes
STARTED: list[subprocess.Popen] = []


def spawn(command: list[str], *, env: dict[str, str], log: Path, cpus: set[int] | None = None) -> subprocess.Popen:
    """Start a child in its own session (a terminal's Ctrl-C reaches the harness, which stops it)."""
    preexec = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with open(log, "ab") as log_file:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec)
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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def log_problems(log: Path) -> dict[str, int]:
    """Warnings and errors the server logged (JSON lines or plain text), counted by message."""
    found: dict[str, int] = {}
    try:
        text = log.read_text("utf-8", "replace")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            if str(entry.get("levelname", "")).upper() not in ("WARNING", "ERROR", "CRITICAL"):
                continue
            message = f"{entry.get('levelname')} {entry.get('name', '')}: {entry.get('message', '')}"
        elif any(word in line for word in ("WARNING", "ERROR", "CRITICAL", "Traceback")):
            message = line.strip()[:160]
        else:
            continue
        found[message] = found.get(message, 0) + 1
    return found


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def status_value(pid: int, key: str) -> int:
    """A number from /proc/<pid>/status (kB for the Vm* lines)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise HarnessError(f"no {key} in /proc/{pid}/status")


def status_mib(pid: int, key: str) -> float:
    return status_value(pid, key) / 1024


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident set."""
    return status_mib(pid, "VmHWM")


def rss_mib(pid: int) -> float:
    """VmRSS: the process's resident set now."""
    return status_mib(pid, "VmRSS")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


class Sampler(threading.Thread):
    """Samples server, wrk and machine CPU every 0.25 s while wrk runs."""

    def __init__(self, server_pid: int, wrk_pid: int):
        super().__init__(daemon=True)
        self.server_pid, self.wrk_pid = server_pid, wrk_pid
        self.samples: list[tuple[float, float | None, float | None, int, int]] = []
        self.halt = threading.Event()

    def sample(self) -> None:
        busy, total = machine_busy_ticks()
        self.samples.append((time.monotonic(), cpu_seconds(self.server_pid), cpu_seconds(self.wrk_pid), busy, total))

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(0.25)

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


# --------------------------------------------------------------------------- one server
@dataclass
class Result:
    backend: str
    server: str
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
    log_problems: dict = field(default_factory=dict)


@dataclass
class Run:
    args: argparse.Namespace
    workdir: Path
    port: int
    token: str
    salt: str
    hash_key: str
    serve_options: dict = field(default_factory=dict)
    probes: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/sms"

    def probe_request(self) -> tuple[bytes, dict[str, str]]:
        """A fresh signed message (its own MessageSid) for the cold-start poll."""
        self.probes += 1
        form = twilio_form(message_sid(PHASE_PROBE, self.salt, self.probes), "+15550000001", PROBE_BODY)
        signature = RequestValidator(self.token).compute_signature(self.url, form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature,
                   "User-Agent": "TwilioProxy/1.1"}
        return encode_form(form).encode("ascii"), headers


def wait_first_answer(run: Run, process: subprocess.Popen, started: float, log: Path,
                      timeout: float = 30.0) -> tuple[float, str]:
    """Seconds from spawn to the first answered signed POST /sms (polled in a tight loop)."""
    body, headers = run.probe_request()
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
            if time.monotonic() - started > timeout:
                raise HarnessError(f"the server did not answer within {timeout:.0f} s:\n{log_tail(log)}") from None
            time.sleep(0.002)
            continue
        finally:
            connection.close()
        if response.status != 200:
            raise HarnessError(f"the first signed request got HTTP {response.status}: {text.strip()[:300]}")
        return elapsed, text


def run_wrk(run: Run, *, prefix: Path, seconds: float, server_pid: int, log: Path,
            cpus: set[int] | None) -> tuple[dict, dict]:
    """wrk for `seconds` over the thread files at `prefix`; (its BENCH_JSON summary, CPU rates)."""
    a = run.args
    command = ["wrk", f"-t{a.threads}", f"-c{a.connections}", f"-d{seconds:g}s", "--timeout", "5s",
               "-s", str(LUA_SCRIPT), run.url, "--", str(prefix)]
    out_path = log.with_suffix(".wrk.out")
    with open(out_path, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, cwd=run.workdir,
                                   preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
    STARTED.append(process)
    sampler = Sampler(server_pid, process.pid)
    sampler.start()
    try:
        process.wait(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"wrk did not finish within {seconds + 60:.0f} s") from None
    finally:
        sampler.halt.set()
        sampler.join()
        if process.poll() is None:
            process.kill()
            process.wait()
        STARTED.remove(process)
    ended = time.monotonic()
    output = out_path.read_text("utf-8", "replace")
    summary = next((json.loads(line.split(" ", 1)[1]) for line in output.splitlines()
                    if line.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or summary is None:
        raise HarnessError(f"wrk failed (exit {process.returncode}):\n{output[-2000:]}")
    duration = summary["duration_us"] / 1e6
    # The traffic ran during the last `duration` seconds before wrk exited (before that wrk loads its files).
    rates = sampler.rates(ended - duration + 0.5, ended - 0.1)
    return summary, rates


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


def bench_server(run: Run, *, backend: str, server: str, command: list[str], env: dict[str, str],
                 records=None) -> Result:
    a = run.args
    result = Result(backend=backend, server=server)
    result.busy_before_pct = machine_busy_now()
    if result.busy_before_pct > 15:
        print(f"[{backend}/{server}] WARNING: the machine is already {result.busy_before_pct:.0f}% busy before "
              "the start; other work will skew these numbers", flush=True)
    log = run.workdir / f"{backend}-{server}.log"
    server_cpus = {0} if a.pin else None
    wrk_cpus = set(range(1, os.cpu_count() or 2)) if a.pin else None
    print(f"[{backend}/{server}] starting: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    process = spawn(command, env=env, log=log, cpus=server_cpus)
    try:
        result.cold_start_s, first = wait_first_answer(run, process, started, log)
        result.rss_started_mib = rss_mib(process.pid)
        if server == "line" and "<Message>" not in first:
            raise HarnessError(f"the line's first answer has no message: {first[:300]}")
        print(f"[{backend}/{server}] pid {process.pid}, first signed answer after {result.cold_start_s:.3f} s; "
              f"warm-up {a.warmup:g} s", flush=True)
        warm, _ = run_wrk(run, prefix=run.workdir / "warmup", seconds=a.warmup, server_pid=process.pid,
                          log=log.with_name(log.stem + "-warmup.log"), cpus=wrk_cpus)
        result.warmup_requests, result.warmup_sent = warm["requests"], warm["sent"]
        result.warmup_non_2xx, result.warmup_wraps = warm["errors"]["status"], warm["wraps"]
        print(f"[{backend}/{server}] measuring {a.seconds:g} s", flush=True)
        profiler = start_profiler(run, backend, process.pid) if (a.profile and server == "line") else None
        summary, rates = run_wrk(run, prefix=run.workdir / "measure", seconds=a.seconds, server_pid=process.pid,
                                 log=log, cpus=wrk_cpus)
        if profiler is not None:
            result.profile = finish_profiler(run, backend, profiler)
        if process.poll() is not None:
            raise HarnessError(f"the server died under load:\n{log_tail(log)}")
        result.peak_rss_mib = peak_rss_mib(process.pid)
        result.threads = status_value(process.pid, "Threads")
    finally:
        stop(process)
    duration = summary["duration_us"] / 1e6
    latency, errors = summary["latency_us"], summary["errors"]
    result.req_s = summary["requests"] / duration
    result.p50_ms, result.p90_ms = latency["p50"] / 1000, latency["p90"] / 1000
    result.p99_ms, result.p999_ms, result.max_ms = latency["p99"] / 1000, latency["p999"] / 1000, latency["max"] / 1000
    result.requests, result.non_2xx = summary["requests"], errors["status"]
    result.socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    result.sent, result.pool, result.wraps = summary["sent"], summary["pool"], summary["wraps"]
    result.cpu = rates
    result.log_problems = log_problems(log)
    if records is not None:
        result.records = records()
    print(f"[{backend}/{server}] {result.req_s:,.0f} req/s, p99 {result.p99_ms:.2f} ms, "
          f"peak RSS {result.peak_rss_mib:.1f} MiB", flush=True)
    return result


# --------------------------------------------------------------------------- profiling (optional)
def start_profiler(run: Run, backend: str, pid: int):
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise HarnessError("--profile needs py-spy: .venv/bin/pip install py-spy")
    suffix = {"raw": "txt", "flamegraph": "svg", "speedscope": "speedscope.json"}[run.args.profile_format]
    out = run.args.profile / f"line-{backend}.{suffix}"
    command = [py_spy, "record", "--pid", str(pid), "--duration", str(int(run.args.seconds)),
               "--rate", str(run.args.profile_rate),
               "--format", run.args.profile_format, "--output", str(out)]
    if run.args.profile_format == "raw":
        command.append("--function")
    if not run.args.profile_all_threads:
        command.append("--gil")  # only the thread holding the GIL: where the CPU goes, not who waits
    if run.args.profile_nonblocking:
        command.append("--nonblocking")  # don't pause the line to sample: less perturbation, rougher stacks
    log = run.workdir / f"py-spy-{backend}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    STARTED.append(process)
    return process, out, log


def finish_profiler(run: Run, backend: str, profiler) -> list:
    process, out, log = profiler
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    stop(process)
    if not out.exists():
        print(f"py-spy wrote nothing:\n{log_tail(log)}", file=sys.stderr)
        return {}
    print(f"[{backend}/line] profile: {out}", flush=True)
    return summarise_collapsed(out) if run.args.profile_format == "raw" else {}


# Frames every sample passes through (interpreter, event loop, worker threads): left out of "by total".
SCAFFOLD_FILES = ("<frozen runpy>", "threading.py", "asyncio/runners.py", "asyncio/base_events.py",
                  "asyncio/events.py", "uvicorn/main.py", "uvicorn/server.py", "uvicorn/_compat.py",
                  "service/__main__.py", "service/cli.py")


def frame_file(frame: str) -> str:
    """'name (path/file.py:12)' -> 'path/file.py'."""
    inner = frame.rpartition(" (")[2].rstrip(")")
    return inner.rpartition(":")[0] or inner


def frame_package(frame: str) -> str:
    """What a frame belongs to: the service's subpackage, else the library's top-level name."""
    path = frame_file(frame)
    parts = path.split("/")
    if parts[0] == "service" and len(parts) > 2:
        return "/".join(parts[:2])
    if parts[0] in ("<string>", "<frozen runpy>") or len(parts) == 1:
        return parts[0].removesuffix(".py")
    return parts[0]


def summarise_collapsed(path: Path, top: int = 15) -> dict:
    """From py-spy's collapsed (raw) stacks: the share of samples per function by own time and by total
    time (the scaffolding every sample passes through left out), and own time per package."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    package: dict[str, int] = {}
    samples = 0
    for line in path.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        count_n = int(count)
        samples += count_n
        frames = [frame.strip() for frame in stack.split(";") if frame.strip()]
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + count_n
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + count_n
            leaf_package = frame_package(frames[-1])
            package[leaf_package] = package.get(leaf_package, 0) + count_n
    if not samples:
        return {}

    def pct(count: int) -> float:
        return 100 * count / samples

    rows = [{"function": f, "own_pct": pct(own.get(f, 0)), "total_pct": pct(total[f])} for f in total]
    by_own = sorted(rows, key=lambda r: r["own_pct"], reverse=True)[:top]
    by_total = sorted((r for r in rows if not frame_file(r["function"]).endswith(SCAFFOLD_FILES)),
                      key=lambda r: r["total_pct"], reverse=True)[:top]
    by_package = sorted(({"package": name, "own_pct": pct(n)} for name, n in package.items()),
                        key=lambda r: r["own_pct"], reverse=True)
    return {"samples": samples, "by_own": by_own, "by_total": by_total, "by_package": by_package}


# --------------------------------------------------------------------------- backends
def sqlite_counts(db: Path) -> dict:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return phase_counts(connection.execute(COUNT_SQL).fetchall(), connection.execute(EMPTY_SQL).fetchall())
    finally:
        connection.close()


COUNT_SQL = ("SELECT substr(message_sid, 3, 2), count(*), "
             "sum(CASE WHEN replied THEN 0 ELSE 1 END), sum(CASE WHEN rate_limited THEN 1 ELSE 0 END) "
             "FROM records GROUP BY 1")
# The measured run's empty replies by what the line understood the message as.
EMPTY_SQL = (f"SELECT intent, count(*) FROM records WHERE NOT replied AND message_sid LIKE 'SM{PHASE_MEASURE:02x}%' "
             "GROUP BY 1 ORDER BY 2 DESC")


def phase_counts(rows, empty_rows=()) -> dict:
    names = {f"{PHASE_PROBE:02x}": "probe", f"{PHASE_WARMUP:02x}": "warmup", f"{PHASE_MEASURE:02x}": "measure"}
    counts = {"total": 0, "empty_by_intent": {intent: int(count) for intent, count in empty_rows}}
    for phase, count, empty, limited in rows:
        counts["total"] += count
        counts[names.get(phase, phase)] = {"records": count, "empty": int(empty or 0), "rate_limited": int(limited or 0)}
    return counts


def with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + f"options=-csearch_path%3D{schema}"
    return urlunsplit(parts._replace(query=query))


class PgSchema:
    """A fresh schema on the given PostgreSQL, dropped afterwards."""

    def __init__(self, url: str):
        import psycopg

        self.psycopg = psycopg
        self.url = url
        self.schema = f"bench_{uuid.uuid4().hex[:12]}"
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=3) as connection:
                connection.execute(f'CREATE SCHEMA "{self.schema}"')
        except psycopg.Error as error:
            raise HarnessError(f"PostgreSQL at {url} is not usable: {error}") from None

    @property
    def line_url(self) -> str:
        return with_search_path(self.url, self.schema)

    def counts(self) -> dict:
        with self.psycopg.connect(self.line_url, autocommit=True) as connection:
            return phase_counts(connection.execute(COUNT_SQL).fetchall(), connection.execute(EMPTY_SQL).fetchall())

    def drop(self) -> None:
        with self.psycopg.connect(self.url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


CLEARED_ENV = ("DATABASE_URL", "DATA_DIR", "PUBLIC_BASE_URL", "PHONE_HASH_KEY", "PROGRAMS_FILE", "TWILIO_AUTH_TOKEN",
               "LOG_LEVEL", "MAX_REQUEST_BYTES", "CONTENT_DIR", "LOCALES_DIR", "HOST", "PORT")


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in CLEARED_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def bench_line(run: Run, backend: str, programs_file: Path | None) -> Result:
    env = base_env() | {"TWILIO_AUTH_TOKEN": run.token, "LOG_LEVEL": "WARNING", "PHONE_HASH_KEY": run.hash_key}
    data_dir = run.workdir / f"data-{backend}"
    data_dir.mkdir()
    env["DATA_DIR"] = str(data_dir)
    if programs_file:
        env["PROGRAMS_FILE"] = str(programs_file)
    env.update(run.args.line_env)
    command = [sys.executable, "-m", "service", "serve", "--host", HOST, "--port", str(run.port)]
    if backend == "sqlite":
        return bench_server(run, backend=backend, server="line", command=command, env=env,
                            records=lambda: sqlite_counts(data_dir / "infoline.db"))
    schema = PgSchema(run.args.database_url)
    try:
        env["DATABASE_URL"] = schema.line_url
        return bench_server(run, backend=backend, server="line", command=command, env=env, records=schema.counts)
    finally:
        schema.drop()


# What serve passed to uvicorn.run when it could not be captured (as of this harness's writing).
FALLBACK_SERVE_OPTIONS = {"log_config": None, "access_log": False, "timeout_graceful_shutdown": 20}


def serve_options(workdir: Path) -> tuple[dict, list[str]]:
    """The keyword options `python -m service serve` (one worker, its defaults) gives uvicorn.run, captured by
    calling the real serve() with uvicorn.run, create_app and logging set-up stubbed out; and notes."""
    import contextlib
    import io
    from unittest import mock

    notes: list[str] = []
    try:
        import uvicorn

        import service.app
        import service.cli
        import service.observability

        calls: list[tuple[object, dict]] = []
        built = object()
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.object(uvicorn, "run", lambda app, **kw: calls.append((app, kw))))
            stack.enter_context(mock.patch.object(service.app, "create_app", lambda *a, **k: built))
            stack.enter_context(mock.patch.object(service.observability, "configure_logging", lambda *a, **k: None))
            stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
            # Should serve ever touch its data before uvicorn.run, let it be a scratch copy, not var/.
            stack.enter_context(mock.patch.dict(os.environ, {"DATA_DIR": str(workdir / "capture")}))
            args = service.cli.parser().parse_args(["serve", "--host", HOST, "--port", "1"])
            args.run(args)
        (app, options), = calls
    except Exception as error:  # the service is someone else's moving target: fall back, say so
        notes.append(f"could not capture serve's uvicorn options ({type(error).__name__}: {error}); "
                     f"the floor uses {FALLBACK_SERVE_OPTIONS}")
        return dict(FALLBACK_SERVE_OPTIONS), notes
    if app is not built:
        notes.append(f"serve passes {app!r} to uvicorn.run, not the app object (several workers?)")
    options = {k: v for k, v in options.items() if k not in ("host", "port")}
    for key in [k for k, v in options.items() if not isinstance(v, (str, int, float, bool, type(None)))]:
        notes.append(f"serve's uvicorn option {key}={options.pop(key)!r} cannot be handed to the floor")
    return options, notes


def bench_floor(run: Run) -> Result:
    env = base_env()
    command = [sys.executable, str(FLOOR_APP), "--host", HOST, "--port", str(run.port), "--log-level", "WARNING",
               "--uvicorn-options", json.dumps(run.serve_options)]
    return bench_server(run, backend="-", server="floor", command=command, env=env)


# --------------------------------------------------------------------------- report
def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(floor: Result, lines: list[Result], args: argparse.Namespace) -> list[str]:
    """Print the table and the targets; returns the failed checks (not targets)."""
    failed: list[str] = []
    print()
    print(f"wrk -t{args.threads} -c{args.connections}, {args.seconds:g} s after {args.warmup:g} s warm-up, "
          f"keep-alive, on {HOST}; {os.cpu_count()} CPUs; caps: {args.caps}"
          + ("; server pinned to CPU 0, wrk to the others" if args.pin else "")
          + (f"; line env {args.line_env}" if args.line_env else ""))
    print(f"both served by uvicorn.run(app, host=, port=, **{args.serve_options}), captured from `serve`")
    for note in args.serve_notes:
        print(f"  note: {note}")
    header = (f"{'backend':<11}{'server':<7}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>9}"
              f"{'peak RSS MiB':>14}{'cold start s':>14}")
    print(header)
    for r in [floor, *lines]:
        print(f"{r.backend:<11}{r.server:<7}{r.req_s:>9,.0f}{r.p50_ms:>8.2f}{r.p99_ms:>8.2f}{r.non_2xx:>9}"
              f"{r.peak_rss_mib:>14.1f}{r.cold_start_s:>14.3f}")
    print()
    print("details: p90 / p99.9 / max ms; requests answered / sent; distinct messages used of pool (wraps); "
          "CPU: server and wrk in % of one core, machine in % of all")
    for r in [floor, *lines]:
        cpu = r.cpu or {}

        def pct(key: str) -> str:
            value = cpu.get(key)
            return "?" if value is None else f"{value:.0f}%"

        print(f"  {r.backend}/{r.server}: {r.p90_ms:.2f} / {r.p999_ms:.2f} / {r.max_ms:.2f} ms; "
              f"{r.requests:,} / {r.sent:,}; {min(r.sent, r.pool):,} of {r.pool:,} ({r.wraps} wraps); "
              f"socket errors {r.socket_errors}; RSS after the first answer {r.rss_started_mib:.1f} MiB, "
              f"{r.threads} threads after the run; CPU server {pct('server_cpu_pct')}, wrk {pct('wrk_cpu_pct')}, "
              f"machine {pct('machine_busy_pct')} (idle check before start: {r.busy_before_pct:.0f}% busy)")
    print()
    for r in lines:
        ratio = r.req_s / floor.req_s if floor.req_s else 0.0
        print(f"{r.backend}: line/floor = {ratio:.2f}   targets: "
              f">= {TARGET_RATIO:.2f} {verdict(ratio >= TARGET_RATIO)}, "
              f"p99 <= {TARGET_P99_MS:g} ms {verdict(r.p99_ms <= TARGET_P99_MS)} ({r.p99_ms:.2f}), "
              f"RSS <= {TARGET_RSS_MIB:g} MiB {verdict(r.peak_rss_mib <= TARGET_RSS_MIB)} ({r.peak_rss_mib:.1f}), "
              f"cold start <= {TARGET_COLD_S:g} s {verdict(r.cold_start_s <= TARGET_COLD_S)} ({r.cold_start_s:.3f})")
        measured = r.records.get("measure", {"records": 0, "empty": 0, "rate_limited": 0})
        answered = r.requests - r.non_2xx
        in_range = answered <= measured["records"] <= r.sent
        print(f"  records (measured run): {measured['records']:,}; answered 2xx: {answered:,}; sent: {r.sent:,} "
              f"-> {'OK' if in_range else 'FAIL'} (answered <= records <= sent; the difference is requests "
              f"in flight when wrk stopped)")
        warm = r.records.get("warmup", {"records": 0})
        warm_answered = r.warmup_requests - r.warmup_non_2xx
        warm_ok = warm_answered <= warm["records"] <= r.warmup_sent
        print(f"  records (warm-up): {warm['records']:,}; answered 2xx: {warm_answered:,}; sent: {r.warmup_sent:,} "
              f"-> {'OK' if warm_ok else 'FAIL'}; all records: {r.records.get('total', 0):,}")
        share = 100 * measured["empty"] / measured["records"] if measured["records"] else 0.0
        print(f"  empty <Response/> replies: {share:.1f}% of the measured run ({measured['empty']:,}; "
              f"rate-limited {measured['rate_limited']:,}; by intent: "
              f"{', '.join(f'{k} {v}' for k, v in r.records.get('empty_by_intent', {}).items()) or '-'})")
        if not in_range:
            failed.append(f"{r.backend}: records {measured['records']} not within answered {answered}..sent {r.sent}")
        if not warm_ok:
            failed.append(f"{r.backend}: warm-up records {warm['records']} not within {warm_answered}..{r.warmup_sent}")
        if r.non_2xx or r.warmup_non_2xx:
            failed.append(f"{r.backend}: {r.non_2xx + r.warmup_non_2xx} non-2xx answers")
        if r.wraps or r.warmup_wraps:
            failed.append(f"{r.backend}: wrk ran out of distinct messages (MessageSids repeated)")
        if floor.req_s < 2 * r.req_s:
            print(f"  WARNING: the floor reached only {floor.req_s / max(r.req_s, 1):.1f}x the line's rate; "
                  "the load generator or the machine may be the limit")
        else:
            print(f"  load generator: the same wrk drove the floor at {floor.req_s:,.0f} req/s, "
                  f"{floor.req_s / max(r.req_s, 1):.1f}x the line, so wrk is not what limits the line")
        problems = r.log_problems
        print(f"  server log: {sum(problems.values())} warning/error line(s)"
              + (": " + "; ".join(f"{count}x {message}" for message, count in
                                  sorted(problems.items(), key=lambda item: -item[1])[:5]) if problems else ""))
        if r.profile:
            print_profile(r, args)
    if floor.non_2xx:
        failed.append(f"floor: {floor.non_2xx} non-2xx answers")
    if floor.wraps:
        print("  note: wrk wrapped around its messages against the floor (harmless: the floor reads nothing)")
    print()
    print("checks:", "all OK" if not failed else "FAILED: " + "; ".join(failed))
    return failed


def print_profile(result: Result, args: argparse.Namespace) -> None:
    profile = result.profile
    mode = "every thread" if args.profile_all_threads else "the thread holding the GIL"
    print(f"  profile of the line ({result.backend}; {profile['samples']:,} py-spy samples of {mode}):")
    for title, key in (("by own time", "by_own"), ("by total time (event loop and thread scaffolding left out)",
                                                   "by_total")):
        print(f"    {title}:")
        print(f"    {'own %':>6} {'total %':>8}  function")
        for row in profile[key]:
            print(f"    {row['own_pct']:>6.1f} {row['total_pct']:>8.1f}  {row['function']}")
    print("    own time by package: " + ", ".join(f"{row['package']} {row['own_pct']:.1f}%"
                                                  for row in profile["by_package"] if row["own_pct"] >= 0.5))


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured run per server (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per server, own messages (default 2)")
    parser.add_argument("--database-url", help="PostgreSQL URL: bench the line on it (a fresh schema, dropped after)")
    parser.add_argument("--backends", help="comma-separated: sqlite,postgresql (default: postgresql when "
                                           "--database-url is given, else sqlite)")
    parser.add_argument("--caps", choices=["high", "real"], default="high",
                        help="high (default): programs with reply caps of 1,000,000, every request gets a full "
                             "reply; real: the programs file's own caps")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--senders", type=int, default=1000, help="distinct sender numbers (default 1000)")
    parser.add_argument("--line-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the line (repeatable), e.g. MALLOC_ARENA_MAX=2, for experiments")
    parser.add_argument("--pin", action="store_true", help="pin the server to CPU 0 and wrk to the other CPUs")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record the line with py-spy during the measured run into DIR (numbers are then "
                             "perturbed by the sampling)")
    parser.add_argument("--profile-format", choices=["raw", "flamegraph", "speedscope"], default="raw",
                        help="raw (default; collapsed stacks, summarised here), flamegraph (SVG) or speedscope")
    parser.add_argument("--profile-rate", type=int, default=250, help="py-spy samples per second (default 250)")
    parser.add_argument("--profile-nonblocking", action="store_true",
                        help="let py-spy sample without pausing the line (less slowdown, some torn stacks)")
    parser.add_argument("--profile-all-threads", action="store_true",
                        help="sample every thread, waiting ones too (default: only the one holding the GIL)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check (not a target) fails")
    args = parser.parse_args(argv)
    backends = args.backends or ("postgresql" if args.database_url else "sqlite")
    args.backends = [b.strip() for b in backends.split(",") if b.strip()]
    for backend in args.backends:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}")
    if "postgresql" in args.backends and not args.database_url:
        parser.error("the postgresql backend needs --database-url")
    try:
        args.line_env = dict(item.split("=", 1) for item in args.line_env)
    except ValueError:
        parser.error("--line-env takes NAME=VALUE")
    if args.seconds < 1 or args.warmup < 1:
        parser.error("--seconds and --warmup must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def pool_size(seconds: float, floor: int) -> int:
    """Distinct messages per phase: enough for wrk at 30,000 req/s, far above what the line reaches."""
    return max(floor, int(30_000 * seconds))


def prepare_messages(run: Run) -> None:
    a = run.args
    rng = random.Random(a.seed)
    senders = sender_numbers(a.senders, rng)
    started = time.monotonic()
    sizes = {PHASE_WARMUP: pool_size(a.warmup, 50_000), PHASE_MEASURE: pool_size(a.seconds, 200_000)}
    context = multiprocessing.get_context("fork")
    with context.Pool(os.cpu_count() or 1) as pool:
        for phase, prefix in ((PHASE_WARMUP, "warmup"), (PHASE_MEASURE, "measure")):
            planned = plan_messages(sizes[phase], rng, senders, stops=phase == PHASE_MEASURE,
                                    gap=STOP_START_GAP_PER_THREAD * a.threads)
            lines = sign_messages(token=run.token, url=run.url, salt=run.salt, phase=phase, planned=planned,
                                  pool=pool)
            check_signed_lines(lines, run.token, run.url)
            write_thread_files(lines, run.workdir / prefix, a.threads)
    print(f"precomputed {sum(sizes.values()):,} distinct signed messages ({sizes[PHASE_WARMUP]:,} warm-up, "
          f"{sizes[PHASE_MEASURE]:,} measured; {a.senders} senders) in {time.monotonic() - started:.1f} s",
          flush=True)


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed. Install it with:  apt-get update && apt-get install -y wrk\n"
              "(or run `make bench`, which does that)", file=sys.stderr)
        return 2
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (`cmd &`)
    workdir = Path(tempfile.mkdtemp(prefix="infoline-bench-"))
    exit_code = 1
    try:
        run = Run(args=args, workdir=workdir, port=free_port(), token=secrets.token_hex(16),
                  salt=secrets.token_hex(3), hash_key=secrets.token_hex(32))
        if "postgresql" in args.backends:
            PgSchema(args.database_url).drop()  # reachable and allowed to create a schema, before anything runs
        run.serve_options, notes = serve_options(workdir)
        args.serve_options, args.serve_notes = run.serve_options, notes
        prepare_messages(run)
        programs_file = None
        if args.caps == "high":
            programs_file = workdir / "programs.toml"
            high_cap_programs(Path(os.environ.get("PROGRAMS_FILE") or DEFAULT_PROGRAMS), programs_file)
        floor = bench_floor(run)
        lines = [bench_line(run, backend, programs_file) for backend in args.backends]
        failed = report(floor, lines, args)
        if args.json:
            args.json.write_text(json.dumps({"floor": floor.__dict__, "lines": [r.__dict__ for r in lines],
                                             "failed_checks": failed}, indent=2, default=str))
        exit_code = 1 if (failed and args.strict) else 0
    except HarnessError as error:
        print(f"bench: harness failed: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        exit_code = 130
    finally:
        stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
