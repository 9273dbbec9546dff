"""What the service does besides answering, for as long as it runs: spooled messages applied once the
database is back, catalogs another replica published served, the outbox sent, the rollups folded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from starlette.concurrency import run_in_threadpool

from service.line import Line
from service.store import StoreUnavailable
from service.translations import refresh_catalogs

log = logging.getLogger("service.background")
# How often a worker looks for spooled messages to hand to a database that is
# back, and for catalog versions another replica published.
DRAIN_EVERY_SECONDS = 1.0
# How often PostgreSQL's per-connection rollup rows are folded into one (service.store.rollups.fold_shards).
FOLD_EVERY_SECONDS = 60.0


def keep_current(line: Line) -> None:
    """Apply spooled messages once the database is back; serve catalogs another replica published."""
    if line.spool.pending():
        applied = line.spool.drain(line.store.unit)
        if applied:
            log.warning("applied spooled messages", extra={"count": applied})
    with contextlib.suppress(StoreUnavailable):
        refresh_catalogs(line=line)


async def keep_current_forever(line: Line) -> None:
    """keep_current every second, and the rollups folded every minute, whatever fails."""
    folded = time.monotonic()
    while True:
        try:
            await run_in_threadpool(keep_current, line)
            if time.monotonic() - folded >= FOLD_EVERY_SECONDS:
                folded = time.monotonic()
                with contextlib.suppress(StoreUnavailable):
                    await run_in_threadpool(line.store.fold_rollups)
        except Exception as error:  # the loop must outlive any one failure, or spool and catalogs go stale
            log.error("keeping current failed", extra={"error": type(error).__name__})
        await asyncio.sleep(DRAIN_EVERY_SECONDS)


async def send_forever(line: Line) -> None:
    """The outbox's sender, started again after any failure (a bug must not stop every reply)."""
    assert line.sender is not None
    while not line.sender.stopping:
        try:
            await line.sender.run()
        except Exception as error:
            log.error("the outbox's sender failed", extra={"error": type(error).__name__})
            await asyncio.sleep(DRAIN_EVERY_SECONDS)
