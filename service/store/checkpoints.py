"""SQLite's WAL copied into the database by a thread of its own, not by the COMMITs of the event loop."""

from __future__ import annotations

import threading

from service.store.records import StoreUnavailable
from service.store.sql import SqlStore

# Often enough that the WAL stays a few MB under full load (bench/), rarely enough to cost nothing idle.
CHECKPOINT_EVERY_SECONDS = 0.2


class Checkpoints:
    """While open, checkpoints run every CHECKPOINT_EVERY_SECONDS in a daemon thread (SQLite only)."""

    def __init__(self, store: SqlStore, every: float = CHECKPOINT_EVERY_SECONDS):
        self.store, self.every = store, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self.runs = 0

    def __enter__(self) -> Checkpoints:
        if self.store.inline:
            self.store.direct.defer_checkpoints()
            self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            self._checkpoint()  # what the last COMMITs left

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            self.store.direct.checkpoint()
            self.runs += 1
        except StoreUnavailable:
            pass  # the database is away or locked for now: the next run tries again
