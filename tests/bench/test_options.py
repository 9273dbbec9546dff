"""bench/run.py's command line: --workers is a list of distinct counts, checked."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from options import parse_args, worker_counts  # noqa: E402


def test_workers_default_to_one_in_process_worker():
    assert parse_args([]).workers == [1]


def test_workers_keep_the_order_given_and_drop_repeats():
    assert parse_args(["--workers", "2, 1,2"]).workers == [2, 1]


@pytest.mark.parametrize("text", ["0", "1,,2", "two", "-1", "1.5", "65"])
def test_a_count_that_is_no_worker_count_is_refused(text):
    with pytest.raises(ValueError, match="worker count"):
        worker_counts(text)


def test_bad_workers_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--workers", "1,x"])
    assert exit_info.value.code == 2
    assert "--workers: 'x' is not a worker count" in capsys.readouterr().err


def test_the_other_options_are_parsed_as_before():
    args = parse_args(["--database-url", "postgresql://db/test", "--line-env", "A=1=2"])
    assert args.backends == ["postgresql"]
    assert args.line_env == {"A": "1=2"}
    assert args.seconds == 10.0
