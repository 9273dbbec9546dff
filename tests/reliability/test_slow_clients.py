"""Slow request bodies are cut off on every route: the real server, a client sending a byte at a time."""

import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import TOKEN
from tests.server import running_service

DEADLINE_SECONDS = 1
# How long the client keeps trickling before the test gives up: far past the deadline.
TRICKLE_SECONDS = 8.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "DATA_DIR": str(tmp_path_factory.mktemp("var")), "DATABASE_URL": "",
           "REQUEST_BODY_TIMEOUT_SECONDS": str(DEADLINE_SECONDS), "ADMIN_TOKEN": "a" * 32}
    with running_service(env) as (url, _):
        yield url


def trickle(url: str, path: str, content_type: str) -> tuple[bytes, bool]:
    """POST a 1,000-byte body one byte every 0.2 s; (what the server answered, whether it closed the connection)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        # With this site's Origin, so the admin's login reads the body as a browser's would be read.
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nOrigin: {url}\r\n"
                      f"Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n").encode())
        sock.setblocking(False)
        answer, closed, started = b"", False, time.monotonic()
        while time.monotonic() - started < TRICKLE_SECONDS and not closed:
            try:
                sock.send(b"x")
            except OSError:
                closed = True
            time.sleep(0.2)
            try:
                chunk = sock.recv(65536)
                answer, closed = answer + chunk, closed or chunk == b""
            except BlockingIOError:
                pass
            except OSError:
                closed = True
        return answer, closed


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sms", "application/x-www-form-urlencoded"), ("/admin/login", "application/x-www-form-urlencoded")],
)
def test_a_body_that_trickles_in_gets_408_and_the_connection_is_closed(server, path, content_type):
    answer, closed = trickle(server, path, content_type)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"too slowly" in answer and closed


def test_an_unauthenticated_admin_upload_is_refused_without_waiting_for_its_body(server):
    answer, _ = trickle(server, "/admin/translations/es", "multipart/form-data; boundary=x")
    assert answer.startswith(b"HTTP/1.1 401") or answer.startswith(b"HTTP/1.1 403"), answer[:200]
