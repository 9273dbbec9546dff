"""A store on each backend (tests/conftest.py's database_url: SQLite, and PostgreSQL under CI)."""

import pytest

from service.store import open_store


@pytest.fixture
def store(database_url):
    store = open_store(database_url)
    yield store
    store.close()
