"""The line with Africa's Talking's SMS answered through the fake API (tests/conftest.py's `fake`)."""

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from tests.outbox.helpers import at_settings


@pytest.fixture
def line_client(tmp_path, fake, request):
    """(line, client) of a running app; parametrize indirectly with settings to override."""
    app = create_app(at_settings(tmp_path, fake.url, **getattr(request, "param", {})))
    with TestClient(app) as client:
        yield app.state.line, client
