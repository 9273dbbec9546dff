"""Bring a database to the newest schema with Alembic, once, even with several replicas starting."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from service.store.schema import metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration; a test keeps it equal to Alembic's head. Checking it
# with one query spares every start the import of Alembic (memory, time).
HEAD = "0004"
# Any constant: replicas starting together take turns at migrating.
PG_MIGRATION_LOCK = 0x1F0_11E


def alembic_config():
    """Alembic's config without an alembic.ini: the scripts ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: a new database)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def _lock(connection, engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})


def create_new(engine: Engine) -> bool:
    """On an empty database, create the newest schema at once and stamp it (Alembic's own recipe
    for new databases); whether it did. Spares a new line importing Alembic at all."""
    with engine.begin() as connection:
        _lock(connection, engine)
        if inspect(connection).get_table_names():
            return False
        metadata.create_all(connection)
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": HEAD})
        return True


def upgrade(engine: Engine) -> None:
    """Bring the database to HEAD: a new one directly, an older one by its migrations."""
    revision = current_revision(engine)
    if revision == HEAD or (revision is None and create_new(engine)):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = alembic_config()
    with engine.begin() as connection:
        _lock(connection, engine)
        if MigrationContext.configure(connection).get_current_revision() == HEAD:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
