"""The outbox's backlog while Africa's Talking's texts come in and after: does the queue drain as fast as it
fills? Its states are sampled every second from the warm-up on, and after the load until nothing is queued
or sending (or a time limit passes); the report reads the numbers off the samples."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from harness import HarnessError

SAMPLE_EVERY_S = 1.0
BUSY = ("queued", "sending")


def busy(states: dict[str, int]) -> int:
    """Rows the sender has still to settle: queued or being sent."""
    return sum(states.get(state, 0) for state in BUSY)


class Backlog(threading.Thread):
    """Samples the outbox's states (a callable reading them) every SAMPLE_EVERY_S until halted."""

    def __init__(self, states: Callable[[], dict[str, int]]):
        super().__init__(daemon=True)
        self.states = states
        self.samples: list[tuple[float, dict[str, int]]] = []
        self.error: str | None = None
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.samples.append((time.monotonic(), self.states()))
            except Exception as error:  # the database busy or gone: said in the report, not fatal to the run
                self.error = f"{type(error).__name__}: {error}"
            self.halt.wait(SAMPLE_EVERY_S)

    def drain(self, *, timeout: float) -> None:
        """Keep sampling until a sample shows nothing queued or sending, or `timeout` passes; then stop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (self.samples and busy(self.samples[-1][1]) == 0):
            time.sleep(0.1)
        self.halt.set()
        self.join(timeout=5)


def summary(samples: list[tuple[float, dict[str, int]]], *, measure_start: float, load_end: float) -> dict:
    """What the samples say: backlog at the measured run's start and end, its peak, sends/s during the load
    and after it, seconds from the end of the load until drained (None: not drained), every sample."""
    if not samples:
        raise HarnessError("the outbox was never sampled")
    during = [(t, s) for t, s in samples if measure_start <= t <= load_end] or [samples[0]]
    after = [(t, s) for t, s in samples if t > load_end]
    drained = next((t for t, s in after if busy(s) == 0), None)
    end_state = after[0] if after else samples[-1]
    last = samples[-1]
    sent = lambda sample: sample[1].get("sent", 0)  # noqa: E731
    rows = lambda sample: sum(sample[1].values())  # noqa: E731

    def rate(first: tuple[float, dict], final: tuple[float, dict], count=sent) -> float | None:
        return (count(final) - count(first)) / (final[0] - first[0]) if final[0] > first[0] else None

    return {
        "at_measure_start": busy(during[0][1]),
        "at_load_end": busy(end_state[1]),
        "peak": max(busy(s) for _, s in samples),
        "queued_per_s_during": rate(during[0], end_state, rows),
        "sends_per_s_during": rate(during[0], end_state),
        "sends_per_s_after": rate(end_state, last) if after else None,
        "drained_after_s": None if drained is None else drained - load_end,
        "final": last[1],
        "series": [(round(t - samples[0][0], 1), busy(s), s.get("sent", 0)) for t, s in samples],
    }


def watch(states: Callable[[], dict[str, int]]) -> Backlog:
    """A sampler of the outbox, started."""
    sampler = Backlog(states)
    sampler.start()
    return sampler


def finish(sampler: Backlog, *, measured_s: float, drain_timeout: float) -> dict:
    """Called as the load ends: the sampler kept on until drained (or drain_timeout), and its summary."""
    load_end = time.monotonic()
    sampler.drain(timeout=drain_timeout)
    return summary(sampler.samples, measure_start=load_end - measured_s, load_end=load_end) | {
        "drain_timeout_s": drain_timeout,
        "sample_error": sampler.error,
    }
