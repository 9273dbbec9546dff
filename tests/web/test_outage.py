"""The database really goes away (a cut TCP link to PostgreSQL) and comes back."""

import time
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.privacy import sender_key
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import count_records, load_state
from tests.tcp_proxy import TcpProxy


def body_of(response):
    assert response.status_code == 200, response.text
    message = ElementTree.fromstring(response.text).find("Message")
    return None if message is None else message.text


@pytest.fixture
def proxied(pg_schema_url):
    parts = urlsplit(pg_schema_url)
    proxy = TcpProxy(parts.port or 5432).start()
    yield proxy, parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    proxy.stop()


def wait_for(condition, seconds=15.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_replies_continue_and_no_opt_out_is_lost(settings, proxied, caplog):
    proxy, url = proxied
    app = create_app(settings.model_copy(update={"database_url": url}))
    line = app.state.line
    with TestClient(app, base_url=BASE_URL) as client:

        def send(body, sender):
            form = twilio_form(body, From=sender)
            return body_of(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}))

        assert send("HER2", "+15550000001").startswith("HER2:")
        proxy.stop()
        assert send("SURGERY", "+15550000002").startswith("Surgery:")
        assert send("STOP", "+15550000003").startswith("Infoline: You will get no more messages")
        assert send("HER2", "+15550000003") is None  # the spool knows she stopped
        assert line.spool.pending()
        proxy.start()
        wait_for(lambda: not line.spool.pending())
        assert send("GOALS", "+15550000004").startswith("Goals:")
    assert count_records(line.store) == 5
    stopped = load_state(line.store, sender_key("+15550000003", line.hash_key))
    assert stopped.subscriber.opted_out is True
    assert "5550000003" not in caplog.text
