"""The outbox's backlog read off its samples: rates, the drain after the load, a run that never drained."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from backlog import Backlog, busy, summary  # noqa: E402
from harness import HarnessError  # noqa: E402


def sample(t: float, queued: int, sending: int, sent: int) -> tuple[float, dict[str, int]]:
    return t, {"queued": queued, "sending": sending, "sent": sent}


SAMPLES = [sample(0, 0, 0, 0), sample(1, 400, 16, 100), sample(2, 800, 16, 300), sample(3, 1000, 16, 500),
           sample(4, 300, 16, 1200), sample(5, 0, 0, 1516)]  # fmt: skip


def test_the_backlog_is_read_at_the_measured_runs_edges_and_drained_after_the_load():
    found = summary(SAMPLES, measure_start=0.5, load_end=3.5)
    assert (found["at_measure_start"], found["at_load_end"], found["peak"]) == (416, 316, 1016)
    assert found["sends_per_s_during"] == pytest.approx((1200 - 100) / 3)
    assert found["queued_per_s_during"] == pytest.approx((1516 - 516) / 3)
    assert found["sends_per_s_after"] == pytest.approx(316 / 1)
    assert found["drained_after_s"] == pytest.approx(1.5)
    assert found["series"][-1] == (5, 0, 1516)


def test_a_backlog_still_there_at_the_last_sample_is_not_drained():
    found = summary(SAMPLES[:5], measure_start=0.5, load_end=3.5)
    assert found["drained_after_s"] is None and found["final"]["queued"] == 300


def test_no_samples_is_the_harness_failing():
    with pytest.raises(HarnessError):
        summary([], measure_start=0, load_end=1)


def test_busy_counts_queued_and_sending_only():
    assert busy({"queued": 3, "sending": 2, "sent": 9, "cancelled": 1}) == 5


def test_sampling_stops_once_drained_and_survives_a_failing_read():
    reads = iter([RuntimeError("locked"), {"queued": 1}])

    def states():
        value = next(reads, {"queued": 0})  # drained from the third read on
        if isinstance(value, Exception):
            raise value
        return value

    sampler = Backlog(states)
    sampler.halt.wait = lambda seconds: None  # no pause between reads: the test takes no time
    sampler.start()
    sampler.drain(timeout=10)
    assert [s for _, s in sampler.samples][:2] == [{"queued": 1}, {"queued": 0}] and "locked" in sampler.error
    assert not sampler.is_alive()
