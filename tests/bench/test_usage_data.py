"""The usage bench's made-up month: distinct records within its days, and rollups that agree with the line's
own (service.store.rollups) and with the old scan of the records, through the real store."""

import datetime
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from usage_data import COLUMNS, add_to_rollups, chunks, rollup_rows  # noqa: E402
from usage_store import create, old_usage, write_month  # noqa: E402

from service.store import Record, rollups  # noqa: E402
from service.store.sql import SqlStore  # noqa: E402
from service.store.usage import usage  # noqa: E402

NOW = datetime.datetime(2026, 11, 30, 9, 41, tzinfo=datetime.UTC)


def month(count: int = 5000, days: int = 3) -> list[tuple]:
    return [row for part in chunks(count=count, days=days, now=NOW, seed=1) for row in part]


def test_records_are_distinct_and_within_their_days():
    rows = month()
    at = COLUMNS.index
    assert len(rows) == 5000 and len({row[at("message_sid")] for row in rows}) == 5000
    days = {row[at("created_at")][:10] for row in rows}
    assert days == {"2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"}
    assert all(row[at("delivery")] is None for row in rows if row[at("channel")] in ("ussd", "voice"))


def test_the_rollups_count_what_the_lines_own_would_when_the_records_are_written():
    rows = month()
    totals: dict = {}
    add_to_rollups(totals, rows)
    records = [Record(*row[: len(COLUMNS) - 2]) for row in rows]  # created_at is a string: day_of reads [:10]
    line = {tuple(delta[k] for k in rollups.KEY): delta for delta in rollups.new_records(records, day="unused")}
    ours = {tuple(delta[k] for k in rollups.KEY): delta for delta in rollup_rows(totals)}
    assert ours.keys() == line.keys()
    for key, delta in ours.items():
        written = ("messages", "replies", "segments", "rate_limited", "pending")
        assert [delta[name] for name in written] == [line[key][name] for name in written], key
    fates = sum(delta[name] for delta in ours.values() for name in ("pending", "delivered", "failed", "cancelled"))
    assert fates == sum(1 for row in rows if row[COLUMNS.index("delivery")] is not None)


def test_the_rollups_written_agree_with_the_old_scan_of_the_records(tmp_path):
    url = f"sqlite:///{tmp_path / 'infoline.db'}"
    create(url)
    now = datetime.datetime.now(datetime.UTC)
    keys, _ = write_month(url, count=3000, days=4, now=now, seed=2)
    since = now - datetime.timedelta(days=6)
    store = SqlStore(url)
    try:
        rows = usage(store.engine, since=since)
    finally:
        store.close()
    _, groups, messages = old_usage(url, since=since)
    assert len(rows) == groups == keys and sum(row.messages for row in rows) == messages == 3000


def test_the_narrow_mix_is_one_program_by_sms_and_ussd_in_two_languages():
    rows = [row for part in chunks(count=3000, days=2, now=NOW, seed=1, mix="narrow") for row in part]
    at = COLUMNS.index
    assert {row[at("program")] for row in rows} == {"hope-clinic"}
    assert {row[at("channel")] for row in rows} == {"sms", "ussd"}
    assert {row[at("locale")] for row in rows} == {"en", "sw"}
