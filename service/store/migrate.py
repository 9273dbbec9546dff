"""Bring a database to the newest schema, once, even with several replicas starting.

The Alembic migrations in service/store/migrations/versions are the one source of
the schema. A new database runs its dialect's generated file (schema_sqlite.sql or
schema_postgresql.sql: the migrations rendered by Alembic's offline mode, stamp
included; see service.store.generate); an older one runs the migrations. Starting on
an up-to-date database, or creating a new one, loads neither Alembic nor, on SQLite,
SQLAlchemy.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, NamedTuple

from service.store.dialect import dialect_of

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
DIALECTS = ("sqlite", "postgresql")
HEAD_MARK = "-- alembic head: "
# Any constant: replicas starting together take turns at migrating.
PG_MIGRATION_LOCK = 0x1F0_11E
TABLES = {
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
}
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)


class Schema(NamedTuple):
    """A generated schema file, read: the revision it stamps and its statements."""

    head: str
    statements: tuple[str, ...]


def schema_file(*, dialect: str) -> Path:
    """Where the generated schema of a dialect lives."""
    return HERE / f"schema_{dialect}.sql"


def parse_schema(text: str) -> Schema:
    """The head and the statements of a generated schema file's text."""
    lines = text.splitlines()
    head = next(line.removeprefix(HEAD_MARK) for line in lines if line.startswith(HEAD_MARK))
    code = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
    return Schema(head=head.strip(), statements=tuple(filter(None, map(str.strip, _STATEMENT_END.split(code)))))


@functools.cache
def generated(*, dialect: str) -> Schema:
    """The shipped schema file of a dialect, read once per process."""
    return parse_schema(schema_file(dialect=dialect).read_text())


def dialect_name(store: Any) -> str:
    """The store's database: "sqlite" or "postgresql"."""
    return dialect_of(store.direct).name


def alembic_config() -> Any:
    """Alembic's config without an alembic.ini: the scripts ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(store: Any) -> str | None:
    """The revision the database is at (None: a new database)."""
    # Asked first: a missing table is a programming error to the driver, not an outage.
    exists = (
        "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
        if store.direct.sqlite
        else "SELECT count(*) FROM pg_tables WHERE tablename = 'alembic_version' AND schemaname = current_schema()"
    )
    if not store.direct.scalar(exists):
        return None
    return store.direct.scalar("SELECT version_num FROM alembic_version")


def create_new(store: Any) -> bool:
    """On an empty database, run the generated schema (stamp included); whether it did."""
    dialect = dialect_name(store)
    # SQLite: a write transaction, so workers starting together queue; PostgreSQL: the advisory lock.
    with store.direct.transaction(write=True) as cursor:
        if dialect == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
        cursor.execute(TABLES[dialect])
        if cursor.fetchone()[0]:
            return False
        for statement in generated(dialect=dialect).statements:
            cursor.execute(statement)
    return True


def _lock(connection: Any) -> None:
    from sqlalchemy import text

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})


def upgrade(store: Any) -> None:
    """Bring the database to the head: a new one from its generated file, an older one by its migrations."""
    head = generated(dialect=dialect_name(store)).head
    revision = current_revision(store)
    if revision == head or (revision is None and create_new(store)):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = alembic_config()
    with store.engine.begin() as connection:
        _lock(connection)
        if MigrationContext.configure(connection).get_current_revision() == head:
            return  # another replica got there first
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
