"""One source for the schema: the migrations. What new databases run is generated from them and checked here."""

import datetime
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect, text

from service.store import Change, Record, open_store
from service.store.engine import with_driver
from service.store.migrate import DIALECTS, alembic_config, current_revision, generated, schema_file
from service.store.schema import metadata, records, subscribers
from tests.store_helpers import count_records, find_record, load_state, save

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "regenerate them with `make schema` (python -m service schema generate) and commit them"


@pytest.fixture
def databases(request, database_url, tmp_path):
    """Makes more empty databases of database_url's kind (its first one is database_url itself)."""
    made, schemas = [database_url], []

    def more() -> str:
        if database_url.startswith("sqlite"):
            made.append(f"sqlite:///{tmp_path / f'line{len(made)}.db'}")
            return made[-1]
        import psycopg

        base = request.getfixturevalue("postgres_url")
        schemas.append(f"t_{uuid.uuid4().hex[:12]}")
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schemas[-1]}"')
        return f"{base}?options=-csearch_path%3D{schemas[-1]}"

    yield more
    if schemas:
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_url"), autocommit=True) as connection:
            for schema in schemas:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def opened():
    """open_store, whose PostgreSQL pools are closed after the test (the server's connections are shared)."""
    stores = []

    def open_one(url: str):
        stores.append(open_store(with_driver(url)))
        return stores[-1]

    yield open_one
    for store in stores:
        if "engine" in vars(store):
            store.engine.dispose()


def alembic_upgrade(url: str, revision: str = "head") -> None:
    """The real Alembic upgrade, online, as an older database gets it."""
    from alembic import command

    engine = create_engine(with_driver(url))
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def snapshot(url: str) -> dict:
    """Everything a schema is made of, as the database reports it: tables, columns, types, defaults,
    keys, unique constraints, indexes, foreign keys, and the stamped revision."""
    engine = create_engine(with_driver(url))
    inspector = inspect(engine)
    tables = {}
    for table in sorted(inspector.get_table_names()):
        tables[table] = {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"], column["default"])
                for column in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table),
            "unique": sorted(map(repr, inspector.get_unique_constraints(table))),
            "indexes": sorted(map(repr, inspector.get_indexes(table))),
            "foreign keys": sorted(map(repr, inspector.get_foreign_keys(table))),
        }
    with engine.connect() as connection:
        stamp = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    return {"tables": tables, "alembic_version": stamp}


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_schema_files_are_the_migrations_rendered(dialect):
    from service.store.generate import render_schema

    path = schema_file(dialect=dialect)
    assert path.read_text() == render_schema(dialect=dialect), (
        f"{path.name} is not what the migrations make: {REGENERATE}"
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_schema_file_stamps_alembics_head_and_holds_only_statements(dialect):
    schema = generated(dialect=dialect)
    assert schema.head == alembic_head(), REGENERATE
    assert schema.statements[-1].startswith(f"UPDATE alembic_version SET version_num='{schema.head}'")
    assert all(
        statement.split()[0] in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE"} for statement in schema.statements
    )


def test_the_package_ships_every_schema_file():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for dialect in DIALECTS:
        assert f"store/{schema_file(dialect=dialect).name}" in package_data["service"]


def test_a_new_database_is_what_the_migrations_build(databases, database_url, opened):
    """The generated file (what open_store runs on an empty database) against the real Alembic upgrade."""
    migrated = databases()
    alembic_upgrade(migrated)
    store = opened(database_url)
    assert current_revision(store) == alembic_head()
    assert snapshot(database_url) == snapshot(migrated)


def test_schema_py_describes_the_migrated_database(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    alembic_upgrade(database_url)
    engine = create_engine(with_driver(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


@pytest.mark.parametrize("revision", ["0001", "0004"])
def test_an_old_database_keeps_its_rows_and_reaches_the_new_schema(databases, database_url, opened, revision):
    alembic_upgrade(database_url, revision)
    engine = create_engine(with_driver(database_url))
    then = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    with engine.begin() as connection:
        connection.execute(insert(subscribers).values(key="k" * 64, locale="fr", updated_at=1.0))
        connection.execute(
            insert(records).values(
                message_sid="SMold", sender_key="k" * 64, program="default", channel="sms", intent="topic",
                topic="her2", locale="fr", segments=1, encoding="GSM-7", replied=True, created_at=then,
            )
        )  # fmt: skip
    engine.dispose()
    store = opened(database_url)
    assert current_revision(store) == alembic_head()
    old = find_record(store, "SMold")
    assert (old.topic, old.locale, old.rate_limited) == ("her2", "fr", False)
    assert load_state(store, "k" * 64).subscriber.locale == "fr"
    new_sid = Record(
        message_sid="SMnew", sender_key="k" * 64, program="default", channel="sms", intent="topic",
        topic="her2", locale="fr", segments=1, encoding="GSM-7", replied=True,
    )  # fmt: skip
    assert save(store, record=new_sid, change=Change(at=2.0, replied=True)) is None
    assert count_records(store) == 2
    fresh = databases()
    opened(fresh)
    assert snapshot(database_url) == snapshot(fresh)


def test_starting_on_a_new_or_current_database_loads_no_alembic(database_url):
    script = (
        "import sys; from service.store import open_store; "
        f"open_store({with_driver(database_url)!r}); "
        "print('alembic' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    for _run in range(2):  # a new database, then the same one, current
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert result.stdout.split() == ["False", "False"], result.stderr  # the unit of work needs neither
