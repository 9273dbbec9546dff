"""The Twilio messages wrk sends: planned, signed and written out before any server starts.

Every message is distinct (its own MessageSid), since the line records each one and a replay is not a
new message. The MessageSid is SM<phase:2 hex><salt:6 hex><index:24 hex>, so the records of each phase
can be counted apart afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus

from harness import HarnessError, Run
from twilio.request_validator import RequestValidator

TWILIO_NUMBER = "+15005550000"
ACCOUNT_SID = "AC4f1c2e9a7b3d5e6f8a9b0c1d2e3f4a5b"
MESSAGING_SERVICE_SID = "MG9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
PHASE_PROBE, PHASE_WARMUP, PHASE_MEASURE = 1, 2, 3
PROBE_SENDER, PROBE_BODY = "+15550000001", "HER2"

# What patients text, with weights. A STOP is followed by that sender's START a
# little later (see plan_messages), so opted-out silence stays rare.
KEYWORD_MIX: tuple[tuple[str, float], ...] = (
    ("HER2", 9),
    ("her2", 2),
    ("HORMONE", 6),
    ("Hormone therapy", 2),
    ("CHEMO", 8),
    ("chemo", 2),
    ("SURGERY", 5),
    ("RADIATION", 5),
    ("radiaton", 1),
    ("GOALS", 4),
    ("1", 3),
    ("2", 3),
    ("3", 3),
    ("4", 3),
    ("5", 3),
    ("6", 3),
    ("MENU", 5),
    ("menu", 1),
    ("HELP", 4),
    ("help", 1),
    ("surgery please", 4),
    ("what about chemo?", 3),
    ("Tell me about radiation", 2),
    ("her2 positive what does it mean", 2),
    ("Hi", 2),
    ("hello, what is this?", 2),
    ("Thanks!", 2),
    ("LANG ES", 2),
    ("LANG EN", 2),
    ("STOP", 1),
)
STOP_WORD, START_WORD = "STOP", "START"
# How many of her thread's requests later a sender who sent STOP sends START.
STOP_START_GAP_PER_THREAD = 100
SIGNING_CHUNK = 10_000


def plan_messages(
    count: int, rng: random.Random, senders: list[str], *, stops: bool, gap: int
) -> list[tuple[str, str]]:
    """(sender, body) for `count` messages. A sender who texts STOP texts START `gap` messages later and
    nothing in between, so (gap being a multiple of the wrk threads) both go through the same wrk thread,
    ~gap/threads requests apart: far more than its connections, so they arrive in order, and every other
    message still gets a full reply. Without `stops`, no STOP at all (the warm-up: wrk stops it at an
    unknown point, which could leave a sender opted out for the measured run)."""
    bodies, weights = zip(*[(body, weight) for body, weight in KEYWORD_MIX if stops or body != STOP_WORD], strict=True)
    starts_at: dict[int, str] = {}
    stopped: set[str] = set()
    planned = []
    for position, body in enumerate(rng.choices(bodies, weights=weights, k=count)):
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
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": TWILIO_NUMBER,
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "ToZip": "",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def encode_form(form: dict[str, str]) -> str:
    """application/x-www-form-urlencoded, as urllib.parse.urlencode (quote_plus) writes it."""
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in form.items())


# encode_form(twilio_form(...)) with the fixed fields quoted once, for the hundreds of thousands of bodies:
# str.format fills in sid, sender and body. check_signed_lines() holds it to encode_form().
_BODY_TEMPLATE = encode_form(twilio_form("{sid}", "{sender}", "{body}")).replace("%7B", "{").replace("%7D", "}")


class FormParams(dict):
    """A form for RequestValidator.compute_signature: getall() spares it two caught exceptions per field
    (it tries MultiDict.getall, then QueryDict.getlist, then falls back to dict) -- same signature, 3x faster."""

    def getall(self, name: str) -> list[str]:
        return [self[name]]


def message_sid(phase: int, salt: str, index: int) -> str:
    return f"SM{phase:02x}{salt}{index:024x}"


def sign_chunk(token: str, url: str, salt: str, phase: int, start: int, items: list[tuple[str, str]]) -> list[str]:
    """'signature<TAB>body' for messages start, start+1, ... of a phase."""
    validator = RequestValidator(token)
    lines = []
    for index, (sender, body) in enumerate(items, start):
        sid = message_sid(phase, salt, index)
        signature = validator.compute_signature(url, FormParams(twilio_form(sid, sender, body)))
        lines.append(
            signature + "\t" + _BODY_TEMPLATE.format(sid=sid, sender=quote_plus(sender), body=quote_plus(body))
        )
    return lines


def sign_messages(run: Run, phase: int, planned: list[tuple[str, str]], pool) -> list[str]:
    """One 'signature<TAB>body' line per planned message, signed for the run's URL, in order."""
    jobs = [
        (run.token, run.url, run.salt, phase, start, planned[start : start + SIGNING_CHUNK])
        for start in range(0, len(planned), SIGNING_CHUNK)
    ]
    return [line for part in pool.starmap(sign_chunk, jobs) for line in part]


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


def write_thread_files(lines: list[str], prefix: Path, threads: int) -> None:
    """Message i goes to PREFIX.(i % threads).tsv: wrk's threads walk the sequence side by side, disjointly."""
    for thread in range(threads):
        Path(f"{prefix}.{thread}.tsv").write_text("\n".join(lines[thread::threads]) + "\n", "ascii")


def pool_size(seconds: float, at_least: int) -> int:
    """Distinct messages per phase: enough for wrk at 30,000 req/s, far above what the line reaches."""
    return max(at_least, int(30_000 * seconds))


def prepare_messages(run: Run) -> list[str]:
    """The warm-up's and the measured run's messages, in files wrk_requests.lua reads (workdir/PHASE.N.tsv);
    returns the senders, whom the USSD steps (bench/ussd.py) come from too."""
    a = run.args
    rng = random.Random(a.seed)
    senders = [f"+1555{n:07d}" for n in rng.sample(range(10_000_000), a.senders)]
    started = time.monotonic()
    sizes = {PHASE_WARMUP: pool_size(a.warmup, 50_000), PHASE_MEASURE: pool_size(a.seconds, 200_000)}
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        for phase, prefix in ((PHASE_WARMUP, "warmup"), (PHASE_MEASURE, "measure")):
            planned = plan_messages(
                sizes[phase], rng, senders, stops=phase == PHASE_MEASURE, gap=STOP_START_GAP_PER_THREAD * a.threads
            )
            lines = sign_messages(run, phase, planned, pool)
            check_signed_lines(lines, run.token, run.url)
            write_thread_files(lines, run.workdir / prefix, a.threads)
    print(
        f"precomputed {sum(sizes.values()):,} distinct signed messages ({sizes[PHASE_WARMUP]:,} warm-up, "
        f"{sizes[PHASE_MEASURE]:,} measured; {a.senders} senders) in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return senders


def probe_request(run: Run) -> tuple[bytes, dict[str, str]]:
    """A fresh signed message (its own MessageSid) for polling a server's cold start: (body, headers)."""
    run.probes += 1
    form = twilio_form(message_sid(PHASE_PROBE, run.salt, run.probes), PROBE_SENDER, PROBE_BODY)
    signature = RequestValidator(run.token).compute_signature(run.url, form)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
        "User-Agent": "TwilioProxy/1.1",
    }
    return encode_form(form).encode("ascii"), headers
