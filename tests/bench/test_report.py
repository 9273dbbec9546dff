"""The bench's report: the line with several workers gets its own row and an informational ratio."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from harness import Result, Run  # noqa: E402
from options import parse_args  # noqa: E402
from report import print_scaling, print_table, report  # noqa: E402


def line(workers: int, req_s: float, backend: str = "postgresql") -> Result:
    return Result(backend=backend, server="line", workers=workers, req_s=req_s, rss_by_process=[60.0, 80.0])


def test_each_worker_count_is_a_row_of_its_own(capsys):
    print_table([Result(backend="-", server="floor", req_s=9000), line(1, 2000), line(2, 3000)])
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split()[:3] for row in rows] == [
        ["-", "floor", "9,000"],
        ["postgresql", "line", "2,000"],
        ["postgresql", "line", "x2"],
    ]
    assert rows[2].split()[3] == "3,000"


def test_more_workers_are_compared_with_one_worker_on_the_same_backend(capsys):
    lines = [line(1, 1000, "sqlite"), line(1, 2000), line(2, 3000)]
    print_scaling(lines[2], lines)
    out = capsys.readouterr().out
    assert "postgresql: x2: 3,000 req/s, 1.50x the 1-worker line (informational, no targets)" in out
    assert "60.0 + 80.0" in out


def test_without_a_one_worker_run_there_is_no_ratio(capsys):
    print_scaling(line(2, 3000), [line(2, 3000)])
    assert "no 1-worker run to compare with" in capsys.readouterr().out


def test_targets_judge_the_one_worker_line_only(capsys, tmp_path):
    run = Run(
        args=parse_args(["--workers", "1,2"]),
        workdir=tmp_path,
        port=1,
        token="t",
        salt="s",
        hash_key="k",
        serve_options={},
    )
    failed = report(run, Result(backend="-", server="floor", req_s=9000), [line(1, 2000), line(2, 3000)])
    out = capsys.readouterr().out
    assert out.count("targets:") == 1
    assert "postgresql: line/floor = 0.22   targets:" in out
    assert "x2: 3,000 req/s, 1.50x the 1-worker line" in out
    assert out.count("records (measured run)") == 2  # the record check holds for every worker count
    assert failed == []
