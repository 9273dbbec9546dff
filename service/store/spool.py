"""A durable local spool for what must not be lost while the database is away (opt-outs first).

One JSON line per message, fsynced before the reply goes out; drained into
the store, in order, when the database answers again. Applying twice is safe:
the store records each MessageSid once.
"""

from __future__ import annotations

import dataclasses
import datetime
import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from service.store.records import Change, Record, StoreUnavailable


def _moment(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


class Spool:
    """Records and changes waiting for the database; shared by the workers of one host."""

    def __init__(self, path: Path):
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, *, record: Record, change: Change) -> None:
        """Append one entry and make it durable before returning."""
        entry = {"record": dataclasses.asdict(record) | {"created_at": None}, "change": dataclasses.asdict(change)}
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._locked(), open(self.path, "a", encoding="utf-8") as spool:
            spool.write(line)
            spool.flush()
            os.fsync(spool.fileno())

    def pending(self) -> bool:
        """Whether anything waits (cheap: a stat)."""
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def entries(self) -> list[tuple[Record, Change]]:
        """What waits, oldest first."""
        if not self.pending():
            return []
        lines = self.path.read_text("utf-8").splitlines()
        parsed = [json.loads(line) for line in lines if line.strip()]
        return [
            (Record(**entry["record"] | {"created_at": _moment(entry["change"]["at"])}), Change(**entry["change"]))
            for entry in parsed
        ]

    def opted_out(self, sender_key: str) -> bool | None:
        """The sender's latest spooled opt-out state, if any waits."""
        latest = None
        for record, change in self.entries():
            if record.sender_key == sender_key and change.opted_out is not None:
                latest = change.opted_out
        return latest

    def drain(self, store) -> int:
        """Apply every entry to the store, oldest first; keep them all if the database is away."""
        with self._locked():
            waiting = self.entries()
            for record, change in waiting:
                try:
                    store.save(record=record, change=change)
                except StoreUnavailable:
                    return 0
            self.path.write_text("", "utf-8")
            return len(waiting)
