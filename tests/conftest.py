"""Shared fixtures: the real content, tiny fixture catalogs, a signed Twilio client."""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from service.app import create_app
from service.catalogs import Catalogs, load_catalogs
from service.content import Content, load_content
from service.programs import Program, Programs, load_programs
from service.settings import get_settings

TOKEN = "test-auth-token-0123456789abcdef"
BASE_URL = "https://line.test"
SMS_URL = BASE_URL + "/sms"
_sids = itertools.count(1)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def catalogs(content) -> Catalogs:
    return load_catalogs(content=content)


@pytest.fixture(scope="session")
def programs() -> Programs:
    return load_programs()


@pytest.fixture
def program() -> Program:
    return Program(translations="drafts", id="default", name="Infoline")


def write_fixture_po(
    locales_dir: Path, locale: str, entries: dict, *, fuzzy: set = frozenset(), header: str = ""
) -> Path:
    """A tiny PO file: entries maps (msgctxt, msgid) -> msgstr."""
    catalog = Catalog(locale=locale, header_comment=header or "# review-status: draft")
    for (context, msgid), msgstr in entries.items():
        catalog.add(msgid, msgstr, context=context, flags={"fuzzy"} if (context, msgid) in fuzzy else ())
    path = locales_dir / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        write_po(po_file, catalog)
    return path


def sign(form: dict, url: str = SMS_URL, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def twilio_form(body: str = "HER2", **fields) -> dict:
    form = {
        "MessageSid": f"SM{next(_sids):032d}",
        "AccountSid": "AC" + "1" * 32,
        "From": "+15551230001",
        "To": "+15005550000",
        "Body": body,
        "NumMedia": "0",
    }
    form.update(fields)
    return form


@pytest.fixture
def settings(tmp_path):
    return get_settings(
        twilio_auth_token=TOKEN,
        public_base_url=None,
        allowed_hosts=("line.test",),
        data_dir=tmp_path / "var",
        database_url=None,
    )


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def text(client):
    """Send one signed text; returns the response."""

    def send(body: str = "HER2", **fields):
        form = twilio_form(body, **fields)
        return client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})

    return send


# --- databases -------------------------------------------------------------
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
ON_CI = os.environ.get("CI", "").lower() == "true"


def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL; on CI it must be there, elsewhere its absence skips with a reason."""
    if not postgres_reachable():
        if ON_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}; on CI these tests must run")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL} (set TEST_DATABASE_URL); runs on CI")
    return PG_URL


@pytest.fixture
def pg_schema_url(postgres_url):
    """A URL whose connections live in a fresh schema of their own, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each store test runs against the embedded SQLite file and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'line.db'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture(autouse=True)
def _close_postgres_pools():
    """Close the PostgreSQL pools a test opened (apps a test never shut down keep theirs until the
    collector finds them, and the server's connection slots run out)."""
    yield
    from service.store.postgres import OPENED

    for unit in list(OPENED):
        unit.close()


@pytest.fixture
def fake():
    """A fake of Africa's Talking's messaging API on 127.0.0.1 (tests/fake_africastalking.py)."""
    from tests.fake_africastalking import FakeAfricasTalking

    with FakeAfricasTalking() as fake:
        yield fake
