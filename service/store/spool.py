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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.store.records import Change, Record, StoreUnavailable
from service.store.unit import UnitOfWork


def _line(record: Record, change: Change) -> str:
    entry = {"record": dataclasses.asdict(record) | {"created_at": None}, "change": dataclasses.asdict(change)}
    return json.dumps(entry, separators=(",", ":")) + "\n"


def _parsed(line: str) -> tuple[Record, Change] | None:
    """One spooled entry, or None for a line a crash cut short."""
    try:
        entry = json.loads(line)
        change = Change(**entry["change"])
        return Record(**entry["record"] | {"created_at": _moment(change.at)}), change
    except (ValueError, TypeError, KeyError):
        return None


def _moment(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC)


def _ends_mid_line(handle) -> bool:
    if handle.seek(0, os.SEEK_END) == 0:
        return False
    handle.seek(-1, os.SEEK_END)
    return handle.read(1) != b"\n"


class Spool:
    """Records and changes waiting for the database; shared by the workers of one host."""

    def __init__(self, path: Path):
        self.path = path
        self._name = str(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # An empty spool is a file, not its absence: pending()'s stat, asked for every message
        # or group of messages, then never pays for a FileNotFoundError.
        with open(self.path, "a"):
            pass
        # sender key -> (opted out, when), read incrementally: during an outage
        # every message asks, and re-reading the whole spool each time grows
        # with the outage. (file identity, bytes read) says what is read already.
        self._opt_index: dict[str, tuple[bool, float]] = {}
        self._read: tuple[int, int] = (0, 0)

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
        line = _line(record, change)
        with self._locked(), open(self.path, "a+b") as spool:
            # After a crash mid-write the file may end inside a line: start a new one.
            if _ends_mid_line(spool):
                line = "\n" + line
            spool.write(line.encode("utf-8"))
            spool.flush()
            os.fsync(spool.fileno())

    def pending(self) -> bool:
        """Whether anything waits (cheap: a stat)."""
        try:
            return os.stat(self._name).st_size > 0  # asked often: os.stat is 4x Path.stat
        except FileNotFoundError:
            return False

    def entries(self) -> list[tuple[Record, Change]]:
        """What waits, oldest first; a line that does not parse (a crash mid-write) is skipped."""
        if not self.pending():
            return []
        lines = self.path.read_text("utf-8", errors="replace").splitlines()
        return [entry for entry in map(_parsed, lines) if entry is not None]

    def opted_out(self, sender_key: str) -> tuple[bool, float] | None:
        """(opted out, when) of the sender's latest spooled opt-out or opt-in, if one waits."""
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return None
        inode, done = self._read
        if status.st_ino != inode or status.st_size < done:  # drained: a new, empty file
            self._opt_index, done = {}, 0
        if status.st_size > done:
            with open(self.path, "rb") as spool:
                spool.seek(done)
                fresh = spool.read(status.st_size - done)
            complete = fresh.rfind(b"\n") + 1  # a line still being written is read next time
            for line in fresh[:complete].decode("utf-8", errors="replace").splitlines():
                entry = _parsed(line)
                if entry and entry[1].opted_out is not None:
                    self._opt_index[entry[0].sender_key] = (entry[1].opted_out, entry[1].at)
            done += complete
        self._read = (status.st_ino, done)
        return self._opt_index.get(sender_key)

    def drain(self, unit: UnitOfWork) -> int:
        """Apply every entry to the store, oldest first; keep them all while the database is away.

        An entry the database refuses for good (not for being away) goes to a
        dead-letter file beside the spool, so it cannot hold up the opt-outs behind it.
        """
        with self._locked():
            waiting = self.entries()
            for record, change in waiting:
                try:
                    with unit.begin() as transaction:  # one each: a refused one must not take others with it
                        transaction.save([(record, change)])
                except StoreUnavailable as error:
                    if error.transient:
                        return 0
                    self._dead_letter(record=record, change=change)
            # A new empty file, not a truncated one: readers tell it apart by its identity.
            emptied = self.path.with_suffix(".empty")
            emptied.write_text("", "utf-8")
            os.replace(emptied, self.path)
            return len(waiting)

    def _dead_letter(self, *, record: Record, change: Change) -> None:
        with open(self.path.with_suffix(".dead.jsonl"), "a", encoding="utf-8") as dead:
            dead.write(_line(record, change))
