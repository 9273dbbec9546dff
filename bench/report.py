"""The printed report: the table, the details, PASS/MISS per target and the checks."""

from __future__ import annotations

import os

from at_report import check_at, print_at
from harness import HOST, Result, Run, ok_or_fail, verdict
from pyspy import print_profile
from ussd import check_ussd_records, print_ussd

# Targets for the one-worker line, per backend (step 7; reported PASS/MISS, never enforced):
# line/floor, p99 ms, peak RSS MiB, and cold start as a multiple of the floor's in the same run.
TARGETS = {"sqlite": (0.45, 15.0, 80.0, 1.3), "postgresql": (0.30, 20.0, 80.0, 1.3)}
NO_RECORDS = {"records": 0, "empty": 0, "rate_limited": 0}


def report(run: Run, floor: Result, lines: list[Result]) -> list[str]:
    """Print the table and the targets; returns the failed checks (not targets)."""
    print_setup(run)
    print_table([floor, *lines])
    print_details([floor, *lines])
    failed: list[str] = []
    for line in lines:
        if line.endpoint == "ussd":
            print_ussd(line, lines)
            failed += check_ussd_records(line)
            continue
        if line.endpoint == "at-sms":
            print_at(line, lines)
            failed += check_at(line)
            continue
        if line.workers == 1:
            print_targets(line, floor)
        else:
            print_scaling(line, lines)
        failed += check_records(line)
        print_load_and_log(line, floor)
        if line.profile:
            print_profile(line, run.args.profile_all_threads)
    if floor.non_2xx:
        failed.append(f"floor: {floor.non_2xx} non-2xx answers")
    if floor.wraps:
        print("  note: wrk wrapped around its messages against the floor (harmless: the floor reads nothing)")
    print()
    print("checks:", "all OK" if not failed else "FAILED: " + "; ".join(failed))
    return failed


def print_setup(run: Run) -> None:
    a = run.args
    print()
    print(
        f"wrk -t{a.threads} -c{a.connections}, {a.seconds:g} s after {a.warmup:g} s warm-up, "
        f"keep-alive, on {HOST}; {os.cpu_count()} CPUs; caps: {a.caps}"
        + ("; server pinned to CPU 0, wrk to the others" if a.pin else "")
        + (f"; line env {a.line_env}" if a.line_env else "")
    )
    print(f"both served by uvicorn.run(app, host=, port=, **{run.serve_options}), captured from `serve`")
    if any(n > 1 for n in a.workers):
        print(
            "line xN: `serve --workers N`, uvicorn's supervisor and N worker processes; its peak RSS is the sum of "
            "each process's own peak, its CPU that of the whole tree"
        )


def print_table(results: list[Result]) -> None:
    print(
        f"{'backend':<11}{'server':<14}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>9}"
        f"{'peak RSS MiB':>14}{'cold start s':>14}"
    )
    for r in results:
        print(
            f"{r.backend:<11}{r.name:<14}{r.req_s:>9,.0f}{r.p50_ms:>8.2f}{r.p99_ms:>8.2f}{r.non_2xx:>9}"
            f"{r.peak_rss_mib:>14.1f}{r.cold_start_s:>14.3f}"
        )


def print_details(results: list[Result]) -> None:
    print()
    print(
        "details: p90 / p99.9 / max ms; requests answered / sent; distinct messages used of pool (wraps); "
        "CPU: server (its whole process tree) and wrk in % of one core, machine in % of all"
    )
    for r in results:

        def pct(key: str, r: Result = r) -> str:
            value = r.cpu.get(key)
            return "?" if value is None else f"{value:.0f}%"

        print(
            f"  {r.label}: {r.p90_ms:.2f} / {r.p999_ms:.2f} / {r.max_ms:.2f} ms; "
            f"{r.requests:,} / {r.sent:,}; {min(r.sent, r.pool):,} of {r.pool:,} ({r.wraps} wraps); "
            f"socket errors {r.socket_errors}; RSS after the first answer {r.rss_started_mib:.1f} MiB, "
            f"{r.threads} threads in {r.processes} process(es) after the run; CPU server {pct('server_cpu_pct')}, wrk {pct('wrk_cpu_pct')}, "
            f"machine {pct('machine_busy_pct')} (idle check before start: {r.busy_before_pct:.0f}% busy)"
        )
    print()


def print_targets(r: Result, floor: Result) -> None:
    ratio = r.req_s / floor.req_s if floor.req_s else 0.0
    target_ratio, target_p99, target_rss, target_cold = TARGETS[r.backend]
    cold = r.cold_start_s / floor.cold_start_s if floor.cold_start_s else 0.0
    print(
        f"{r.backend}: line/floor = {ratio:.2f}   targets: "
        f">= {target_ratio:.2f} {verdict(ratio >= target_ratio)}, "
        f"p99 <= {target_p99:g} ms {verdict(r.p99_ms <= target_p99)} ({r.p99_ms:.2f}), "
        f"RSS <= {target_rss:g} MiB {verdict(r.peak_rss_mib <= target_rss)} ({r.peak_rss_mib:.1f}), "
        f"cold start <= {target_cold:g}x the floor's {verdict(cold <= target_cold)} ({cold:.2f}x)"
    )


def print_scaling(r: Result, lines: list[Result]) -> None:
    """A line with several workers: informational, its rate against the 1-worker line on its backend."""
    single = next((other.req_s for other in lines if other.backend == r.backend and other.workers == 1), 0.0)
    ratio = f"{r.req_s / single:.2f}x the 1-worker line" if single else "no 1-worker run to compare with"
    print(
        f"{r.backend}: x{r.workers}: {r.req_s:,.0f} req/s, {ratio} (informational, no targets); "
        f"p99 {r.p99_ms:.2f} ms, peak RSS {r.peak_rss_mib:.1f} MiB over {r.processes} processes, "
        f"cold start {r.cold_start_s:.3f} s"
    )
    print("  peak RSS by process (MiB, supervisor first): " + " + ".join(f"{mib:.1f}" for mib in r.rss_by_process))


def check_records(r: Result) -> list[str]:
    """Prints and checks that the line recorded every message it answered: answered 2xx <= records <= sent
    (the difference being requests in flight when wrk stopped), for both runs; returns what failed."""
    failed = []
    measured = r.records.get("measure", NO_RECORDS)
    answered = r.requests - r.non_2xx
    in_range = answered <= measured["records"] <= r.sent
    print(
        f"  records (measured run): {measured['records']:,}; answered 2xx: {answered:,}; sent: {r.sent:,} "
        f"-> {ok_or_fail(in_range)} (answered <= records <= sent; the difference is requests "
        f"in flight when wrk stopped)"
    )
    warm = r.records.get("warmup", NO_RECORDS)
    warm_answered = r.warmup_requests - r.warmup_non_2xx
    warm_ok = warm_answered <= warm["records"] <= r.warmup_sent
    print(
        f"  records (warm-up): {warm['records']:,}; answered 2xx: {warm_answered:,}; sent: {r.warmup_sent:,} "
        f"-> {ok_or_fail(warm_ok)}; all records: {r.records.get('total', 0):,}"
    )
    share = 100 * measured["empty"] / measured["records"] if measured["records"] else 0.0
    by_intent = ", ".join(f"{k} {v}" for k, v in r.records.get("empty_by_intent", {}).items()) or "-"
    print(
        f"  empty <Response/> replies: {share:.1f}% of the measured run ({measured['empty']:,}; "
        f"rate-limited {measured['rate_limited']:,}; by intent: {by_intent})"
    )
    if not in_range:
        failed.append(f"{r.label}: records {measured['records']} not within answered {answered}..sent {r.sent}")
    if not warm_ok:
        failed.append(f"{r.label}: warm-up records {warm['records']} not within {warm_answered}..{r.warmup_sent}")
    return failed + r.load_failures(distinct="messages (MessageSids repeated)")


def print_load_and_log(r: Result, floor: Result) -> None:
    """Whether wrk could have been the limit (it drove the floor much faster), and the line's log problems."""
    times = floor.req_s / max(r.req_s, 1)
    if floor.req_s < 2 * r.req_s:
        print(
            f"  WARNING: the floor reached only {times:.1f}x the line's rate; "
            "the load generator or the machine may be the limit"
        )
    else:
        print(
            f"  load generator: the same wrk drove the floor at {floor.req_s:,.0f} req/s, "
            f"{times:.1f}x the line, so wrk is not what limits the line"
        )
    problems = sorted(r.log_problems.items(), key=lambda item: -item[1])
    print(
        f"  server log: {sum(r.log_problems.values())} warning/error line(s)"
        + (": " + "; ".join(f"{count}x {message}" for message, count in problems[:5]) if problems else "")
    )
