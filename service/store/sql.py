"""The store: SQLite (WAL) by default, PostgreSQL for several replicas.

The per-message path is a unit of work (service.store.sqlite, .postgres); the
rest (purge, the admin's queries) uses SQLAlchemy, loaded when first asked for.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from service.core.types import Delivery
from service.store import deliveries, outbox, rollups
from service.store.base import run
from service.store.dialect import dialect_of
from service.store.migrate import upgrade
from service.store.sqlite import SqliteUnit
from service.store.unit import UnitOfWork

# Connections per worker for SQLAlchemy's queries (the admin, purge) on PostgreSQL.
ENGINE_POOL_SIZE = 4
# Outbox rows nobody will touch again (an unknown one is final too: it is never sent again).
FINAL_OUTBOX_STATES = ("sent", "failed", "dead", "cancelled", "unknown")


def sqlite_path(url: str) -> str | None:
    """The file of a sqlite:/// URL; None for any other database."""
    return url.split(":///", 1)[1] if url.startswith("sqlite") else None


def _postgres_unit(url: str) -> UnitOfWork:
    # Imported only for PostgreSQL: psycopg and its pool cost the embedded line 70 ms of start and ~6 MiB.
    from service.store.postgres import PostgresUnit

    return PostgresUnit(url)


class SqlStore:
    """The database: its unit of work for messages, an engine for everything else."""

    def __init__(self, url: str):
        self.url = url
        path = sqlite_path(url)
        self.unit: UnitOfWork = SqliteUnit(path) if path is not None else _postgres_unit(url)

    @property
    def direct(self) -> UnitOfWork:
        """Plain DBAPI cursors (migrations, catalog versions): the unit of work's connections."""
        return self.unit

    @functools.cached_property
    def engine(self) -> Any:
        """A SQLAlchemy engine on the same database, made at first use."""
        from service.store.engine import make_engine

        return make_engine(self.url, pool_size=ENGINE_POOL_SIZE)

    def purge(self, *, before: datetime.datetime) -> int:
        """Delete records older than `before`, and outbox rows as old whose fate is final; subscriber state
        and the daily rollups (every figure usage shows) stay."""
        from sqlalchemy import delete

        from service.store.schema import outbox as outbox_rows
        from service.store.schema import records

        def work(connection: Any) -> int:
            final = outbox_rows.c.status.in_(FINAL_OUTBOX_STATES)
            connection.execute(delete(outbox_rows).where(outbox_rows.c.created_at < before.timestamp(), final))
            return connection.execute(delete(records).where(records.c.created_at < before)).rowcount

        return run(self.engine, work, write=True)

    def fold_rollups(self) -> int:
        """Fold the daily rollups' per-connection rows (PostgreSQL); how many were written back."""
        with self.unit.transaction(write=True) as cursor:
            return rollups.fold_shards(cursor, dialect_of(self.unit))

    def apply_receipt(
        self, *, gateway: str, to: Delivery, provider_id: str | None, reply_to: str | None, reason: str = ""
    ) -> bool | None:
        """A gateway's receipt applied to its reply's record and the rollups (a failure's reason kept on its
        outbox row); False when its fate was final already, None when no reply has its id (yet)."""
        dialect = dialect_of(self.unit)
        with self.unit.transaction(write=True) as cursor:
            sid = reply_to or (outbox.answered_by(cursor, dialect, gateway=gateway, provider_id=provider_id)
                               if provider_id else None)  # fmt: skip
            if sid is None:
                return None
            moved = deliveries.move(cursor, dialect, message_sid=sid, to=to)
            if moved and reason and to == Delivery.FAILED:
                outbox.note_failure(cursor, dialect, message_sid=sid, reason=reason)
            return moved

    def close(self) -> None:
        """Close this process's connections (this thread's, on SQLite)."""
        self.unit.close()
        if "engine" in self.__dict__:
            self.engine.dispose()

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""
        self.unit.scalar("SELECT 1")


def open_store(url: str) -> SqlStore:
    """A store on url, its database migrated to the newest schema."""
    store = SqlStore(url)
    upgrade(store)
    return store
