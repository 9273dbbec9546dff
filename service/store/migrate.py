"""Bring a database to the newest schema, once, even with several replicas starting.

A new SQLite database gets schema_sqlite.sql (the same tables, compiled from
schema.py; a test keeps them equal) and is stamped at HEAD; a new PostgreSQL
database gets schema.py's create_all; an older one runs its Alembic migrations.
A worker starting on an up-to-date SQLite database loads neither SQLAlchemy nor Alembic.
"""

from __future__ import annotations

from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_SCHEMA = Path(__file__).resolve().parent / "schema_sqlite.sql"
# The newest migration; a test keeps it equal to Alembic's head.
HEAD = "0005"
STAMP = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n"
    f"INSERT INTO alembic_version (version_num) VALUES ('{HEAD}');\n"
)
# Any constant: replicas starting together take turns at migrating.
PG_MIGRATION_LOCK = 0x1F0_11E


def alembic_config():
    """Alembic's config without an alembic.ini: the scripts ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(store) -> str | None:
    """The revision the database is at (None: a new database)."""
    exists = (
        "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
        if store.direct.sqlite
        else "SELECT count(*) FROM pg_tables WHERE tablename = 'alembic_version' AND schemaname = current_schema()"
    )
    if not store.direct.scalar(exists):
        return None
    return store.direct.scalar("SELECT version_num FROM alembic_version")


def _create_sqlite(store) -> bool:
    with store.direct.transaction(write=True) as cursor:  # one writer: workers starting together queue here
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        if cursor.fetchone()[0]:
            return False
        for statement in filter(str.strip, (SQLITE_SCHEMA.read_text() + STAMP).split(";")):
            cursor.execute(statement)
    return True


def _lock(connection, engine) -> None:
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})


def _create_postgres(store) -> bool:
    from sqlalchemy import inspect, text

    from service.store.schema import metadata

    with store.engine.begin() as connection:
        _lock(connection, store.engine)
        if inspect(connection).get_table_names():
            return False
        metadata.create_all(connection)
        for statement in filter(str.strip, STAMP.split(";")):
            connection.execute(text(statement))
    return True


def create_new(store) -> bool:
    """On an empty database, create the newest schema at once and stamp it; whether it did."""
    return _create_sqlite(store) if store.direct.sqlite else _create_postgres(store)


def upgrade(store) -> None:
    """Bring the database to HEAD: a new one directly, an older one by its migrations."""
    revision = current_revision(store)
    if revision == HEAD or (revision is None and create_new(store)):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = alembic_config()
    with store.engine.begin() as connection:
        _lock(connection, store.engine)
        if MigrationContext.configure(connection).get_current_revision() == HEAD:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
