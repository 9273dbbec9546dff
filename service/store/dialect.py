"""What the store's hand-written SQL needs to know of its database: placeholders and a few expressions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from service.store.statements import pyformat


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    # sqlite3 takes :name placeholders; psycopg %(name)s.
    params: Callable[[str], str]
    # Which usage_daily row a transaction adds to (service.store.schema.usage_daily): its connection's own
    # on PostgreSQL, so transactions in flight together never wait on one row's lock.
    shard: str
    # Claiming outbox rows: PostgreSQL's replicas skip rows another is claiming; SQLite has one writer.
    skip_locked: str


SQLITE = Dialect("sqlite", params=lambda sql: sql, shard="0", skip_locked="")
POSTGRES = Dialect("postgresql", params=pyformat, shard="pg_backend_pid()", skip_locked="FOR UPDATE SKIP LOCKED")


@functools.cache
def in_dialect(dialect: Dialect, statement: str) -> str:
    """A statement written with :name placeholders (and {skip} where PostgreSQL skips rows another
    transaction holds) in the dialect's own, made once."""
    return dialect.params(statement.replace("{skip}", dialect.skip_locked))


def dialect_of(unit: object) -> Dialect:
    """The dialect of a unit of work."""
    return SQLITE if getattr(unit, "sqlite", False) else POSTGRES
