"""The Africa's Talking USSD steps wrk sends to /ussd/africastalking, at the same load as the texts.

Every step has its own sessionId, so each is a new record (a step delivered again would be a replay).
The callback carries no signature: the key is in the URL, so each line of the files wrk_requests.lua
reads is a tab (no signature) and the form.
"""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

from harness import HarnessError, Result, Run, ok_or_fail, verdict
from messages import PHASE_MEASURE, PHASE_WARMUP, encode_form, pool_size, write_thread_files

SERVICE_CODE = "*384*1234#"  # the example program's (content/programs.toml)
NETWORK_CODE = "63902"
# The USSD endpoint answers well inside Africa's Talking's time limit (step 8): its p99 at the same load.
USSD_TARGET_P99_MS = 20.0
# What callers type so far, with weights: most steps open the menu or a topic, a few page on or back,
# a few list or choose a language (a choice is a write to her state, as LANG ES is by text).
PATH_MIX: tuple[tuple[str, float], ...] = (
    ("", 30),
    *((str(topic), 5) for topic in range(1, 7)),
    *((f"{topic}*1", 3) for topic in range(1, 7)),
    *((f"{topic}*0", 1) for topic in range(1, 7)),
    ("7", 3),
    ("7*1", 1),
    ("7*3", 1),
    ("9", 1),
)


def session_id(phase: int, salt: str, index: int) -> str:
    """A session's id, distinct per step and run: ATUid_<phase:2 hex><salt><index:24 hex>."""
    return f"ATUid_{phase:02x}{salt}{index:024x}"


def ussd_form(session: str, sender: str, path: str) -> dict[str, str]:
    """The fields Africa's Talking posts for one step, in its order."""
    return {
        "sessionId": session,
        "serviceCode": SERVICE_CODE,
        "phoneNumber": sender,
        "networkCode": NETWORK_CODE,
        "text": path,
    }


def ussd_lines(count: int, rng: random.Random, senders: list[str], *, salt: str, phase: int) -> list[str]:
    """'<TAB>form' for `count` steps, each of its own session."""
    paths, weights = zip(*PATH_MIX, strict=True)
    return [
        "\t" + encode_form(ussd_form(session_id(phase, salt, index), rng.choice(senders), path))
        for index, path in enumerate(rng.choices(paths, weights=weights, k=count))
    ]


def check_ussd_lines(lines: list[str], sample: int = 200) -> None:
    """A sample of the lines parses back to the form Africa's Talking sends."""
    for line in random.Random(1).sample(lines, min(sample, len(lines))):
        signature, body = line.split("\t", 1)
        form = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
        if signature or set(form) != set(ussd_form("", "", "")) or form["serviceCode"] != SERVICE_CODE:
            raise HarnessError("a precomputed USSD step is not the form Africa's Talking sends")


def prepare_ussd(run: Run, senders: list[str]) -> None:
    """The USSD warm-up's and measured run's steps, in files wrk_requests.lua reads (workdir/ussd-PHASE.N.tsv)."""
    a = run.args
    rng = random.Random(a.seed + 1)
    sizes = {PHASE_WARMUP: pool_size(a.warmup, 50_000), PHASE_MEASURE: pool_size(a.seconds, 200_000)}
    for phase, prefix in ((PHASE_WARMUP, "ussd-warmup"), (PHASE_MEASURE, "ussd-measure")):
        lines = ussd_lines(sizes[phase], rng, senders, salt=run.salt, phase=phase)
        check_ussd_lines(lines)
        write_thread_files(lines, run.workdir / prefix, a.threads)
    print(f"precomputed {sum(sizes.values()):,} distinct USSD steps, each of its own session", flush=True)


def print_ussd(r: Result, lines: list[Result]) -> None:
    """The USSD endpoint's row against its target and the /sms line of the same process."""
    sms = next((other.req_s for other in lines if (other.backend, other.workers, other.endpoint) == (
        r.backend, r.workers, "sms")), 0.0)  # fmt: skip
    ratio = f"{r.req_s / sms:.2f}x its /sms rate" if sms else "no /sms run to compare with"
    print(
        f"{r.backend}: {r.name}: {r.req_s:,.0f} req/s, {ratio}; "
        f"p99 <= {USSD_TARGET_P99_MS:g} ms {verdict(r.p99_ms <= USSD_TARGET_P99_MS)} ({r.p99_ms:.2f})"
    )


def check_ussd_records(r: Result) -> list[str]:
    """Prints and checks that every USSD step answered was recorded once: answered 2xx <= records <= sent,
    warm-up and measured run together (USSD ids are hashes, with no phase in them); returns what failed."""
    answered = r.requests - r.non_2xx + r.warmup_requests - r.warmup_non_2xx
    sent, recorded = r.sent + r.warmup_sent, r.records.get("ussd", 0)
    in_range = answered <= recorded <= sent
    print(
        f"  USSD records (warm-up and measured): {recorded:,}; answered 2xx: {answered:,}; sent: {sent:,} "
        f"-> {ok_or_fail(in_range)}"
    )
    failed = [] if in_range else [f"{r.label}: USSD records {recorded} not within answered {answered}..sent {sent}"]
    return failed + r.load_failures(distinct="USSD sessions (steps repeated)")
