"""The Africa's Talking SMS row's report: its rate against /sms, the outbox's backlog, and its checks."""

from __future__ import annotations

from harness import Result, ok_or_fail


def print_at(r: Result, lines: list[Result]) -> None:
    """The AT webhook's rate against the /sms line of the same process, and how the outbox kept up."""
    sms = next((other.req_s for other in lines if (other.backend, other.workers, other.endpoint) == (
        r.backend, r.workers, "sms")), 0.0)  # fmt: skip
    ratio = f"{r.req_s / sms:.2f}x its /sms rate" if sms else "no /sms run to compare with"
    print(f"{r.backend}: {r.name}: {r.req_s:,.0f} req/s, {ratio}; p99 {r.p99_ms:.2f} ms")
    b = r.backlog
    if "series" not in b:
        print("  outbox: not sampled")
        return
    drained = b["drained_after_s"]
    drained_text = (
        f"drained {drained:.1f} s after the load stopped"
        if drained is not None
        else f"NOT drained {b['drain_timeout_s']:g} s after the load stopped ({b['final']})"
    )
    print(
        f"  outbox backlog (queued + sending): {b['at_measure_start']:,} as the measured run began, "
        f"{b['at_load_end']:,} as the load stopped, peak {b['peak']:,}; {drained_text}"
    )
    print(
        f"  during the measured run: {rate(b['queued_per_s_during'])} replies queued/s, "
        f"{rate(b['sends_per_s_during'])} sent/s; after it: {rate(b['sends_per_s_after'])} sent/s"
    )
    print("  backlog every second (s: rows): " + ", ".join(f"{t:g}: {rows:,}" for t, rows, _ in b["series"]))


def rate(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"


def check_at(r: Result) -> list[str]:
    """Prints and checks that every AT text answered was recorded once (answered 2xx <= records <= sent, warm-up
    and measured run together), the outbox drained, and the fake took each sent reply once; what failed."""
    answered = r.requests - r.non_2xx + r.warmup_requests - r.warmup_non_2xx
    sent, recorded = r.sent + r.warmup_sent, r.records.get("at", 0)
    in_range = answered <= recorded <= sent
    final = r.backlog.get("final", {})
    took, sent_rows = r.backlog.get("fake_took"), final.get("sent", 0)
    print(
        f"  AT records (warm-up and measured): {recorded:,}; answered 2xx: {answered:,}; sent: {sent:,} "
        f"-> {ok_or_fail(in_range)}; outbox at the end: {final}; "
        + ("no sender (--no-at-sender)" if took is None else
           f"the fake took {took} -> {ok_or_fail(took == sent_rows)} (each sent reply once)")
    )  # fmt: skip
    failed = [] if in_range else [f"{r.label}: AT records {recorded} not within answered {answered}..sent {sent}"]
    # --no-at-sender (no fake, took None): nothing was sent and nothing drains, by design.
    if took is not None and took != sent_rows:
        failed.append(f"{r.label}: the fake took {took} messages, the outbox sent {sent_rows}")
    if took is not None and r.backlog.get("drained_after_s") is None:
        failed.append(f"{r.label}: the outbox did not drain")
    return failed + r.load_failures(distinct="AT texts (ids repeated)")
