"""The benchmark's copy of the programs file: the real programs, every value kept, only the caps raised."""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from server_config import HIGH_CAP, high_cap_programs  # noqa: E402


def test_the_high_cap_copy_keeps_every_program_value_tables_included(tmp_path, monkeypatch):
    monkeypatch.delenv("PROGRAMS_FILE", raising=False)
    copy = tomllib.loads(high_cap_programs(tmp_path / "programs.toml").read_text("utf-8"))["program"]
    real = tomllib.loads((ROOT / "content" / "programs.toml").read_text("utf-8"))["program"]
    assert any(isinstance(value, dict) for program in real for value in program.values())  # contacts = { … }
    assert copy == [program | {"reply_cap": HIGH_CAP, "hourly_cap": HIGH_CAP} for program in real]
