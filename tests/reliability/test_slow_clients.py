"""Slow request bodies are cut off on every route: the real server, a client sending a byte at a time."""

import socket
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.conftest import TOKEN
from tests.server import running_service

DEADLINE_SECONDS = 1
# How long the client keeps trickling before the test gives up: far past the deadline.
TRICKLE_SECONDS = 8.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path_factory.mktemp("var")),
        "DATABASE_URL": "",
        "REQUEST_BODY_TIMEOUT_SECONDS": str(DEADLINE_SECONDS),
        "ADMIN_TOKEN": "a" * 32,
    }
    with running_service(env) as (url, _):
        yield url


def trickle(url: str, path: str, content_type: str) -> tuple[bytes, bool]:
    """POST a 1,000-byte body one byte every 0.2 s; (what the server answered, whether it closed the connection)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        # With this site's Origin, so the admin's login reads the body as a browser's would be read.
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nOrigin: {url}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n"
            ).encode()
        )
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
    assert b"came too slowly" in answer and closed


def test_an_unauthenticated_admin_upload_is_refused_without_waiting_for_its_body(server):
    answer, _ = trickle(server, "/admin/translations/es", "multipart/form-data; boundary=x")
    assert answer.startswith(b"HTTP/1.1 401") or answer.startswith(b"HTTP/1.1 403"), answer[:200]


@pytest.fixture(scope="module")
def head_server(tmp_path_factory):
    env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path_factory.mktemp("var")),
        "DATABASE_URL": "",
        "REQUEST_HEAD_TIMEOUT_SECONDS": str(DEADLINE_SECONDS),
    }
    with running_service(env) as (url, _):
        yield url


def closed_within(url: str, first: bytes, drip: bytes | None) -> bool:
    """Whether the server closes a connection that sent `first` and then `drip` every 0.2 s."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(first)
        started = time.monotonic()
        while time.monotonic() - started < TRICKLE_SECONDS:
            try:
                if drip:
                    sock.sendall(drip)
                sock.settimeout(0.2)
                if sock.recv(65536) == b"":
                    return True
            except TimeoutError:
                continue
            except OSError:
                return True
        return False


@pytest.mark.parametrize(
    ("case", "first", "drip"),
    [
        ("headers a byte at a time", b"POST /sms HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X"),
        ("nothing at all", b"", None),
        ("half a request line", b"GET /hea", None),
    ],
)
def test_a_request_head_that_never_ends_is_cut_off(head_server, case, first, drip):
    assert closed_within(head_server, first, drip), case


def test_keep_alive_requests_still_work_under_the_head_deadline(head_server):
    import http.client

    parts = urlsplit(head_server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    for _ in range(3):
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() == b"ok\n"
        time.sleep(0.3)
    connection.close()


def test_a_large_body_arriving_steadily_gets_its_time(server):
    """Past REQUEST_BODY_TIMEOUT_SECONDS but above REQUEST_BODY_MIN_BYTES_PER_SECOND: answered, not cut off."""
    parts = urlsplit(server)
    body = b"Body=" + b"x" * 24_995  # 25,000 bytes: 1 s + 25,000 / 8,192 s = about 4 s to arrive
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(
            (
                f"POST /sms HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
        )
        for start in range(0, len(body), 2_500):  # 2,500 bytes every 0.2 s: 12,500 a second, in 2 s
            sock.sendall(body[start : start + 2_500])
            time.sleep(0.2)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 403"), answer[:100]  # unsigned: refused for that, not for time


def read_until_closed(sock: socket.socket, seconds: float = TRICKLE_SECONDS) -> bytes:
    """Everything the server sends until it closes the connection; AssertionError if it never does."""
    sock.settimeout(seconds)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except TimeoutError:
        raise AssertionError("the server kept the connection open") from None
    except OSError:  # reset: it closed with our bytes unread
        pass
    return answer


def test_an_endless_header_is_refused_431_without_holding_the_process(server):
    # The server whose head deadline is the default 10 s, past TRICKLE_SECONDS: only the 64 KiB cap can close it.
    parts = urlsplit(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\nX-Big: ".encode())
        try:
            for _ in range(64):  # 4 MiB of one header value, never ended
                sock.sendall(b"x" * 65536)
        except OSError:
            pass  # closed on us: what we want
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431") or answer == b"", answer[:100]
    with urllib.request.urlopen(server + "/healthz", timeout=5) as response:
        assert response.read() == b"ok\n"


def test_more_requests_pipelined_than_a_client_needs_are_refused(head_server):
    parts = urlsplit(head_server)
    request = f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(request * 2_000)
        answer = read_until_closed(sock)
    answered = answer.count(b"HTTP/1.1 200")
    assert answered < 100 and b"HTTP/1.1 400" in answer, answered


def test_a_few_pipelined_requests_are_all_answered(head_server):
    parts = urlsplit(head_server)
    request = f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(
            request * 5 + f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        answer = read_until_closed(sock)
    assert answer.count(b"HTTP/1.1 200") == 6


def test_bytes_that_start_no_request_do_not_keep_an_idle_connection(head_server):
    # A lone CRLF cancelled uvicorn's keep-alive timer and started no request: the connection stayed for good.
    parts = urlsplit(head_server)
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        answer = sock.recv(65536)
        while not answer.endswith(b"ok\n"):  # the head and the body may come in two reads
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(b"\r\n")
        assert read_until_closed(sock) == b""  # closed by the keep-alive timeout (5 s), not kept


def test_a_body_answered_before_it_is_read_is_not_read_on(head_server):
    # 413 from the declared length: uvicorn would have read and discarded all 10^15 bytes, with all that time.
    parts = urlsplit(head_server)
    with socket.create_connection((parts.hostname, parts.port), timeout=TRICKLE_SECONDS) as sock:
        sock.sendall(
            (
                f"POST /sms HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/x-www-form-urlencoded"
                "\r\nContent-Length: 1000000000000000\r\n\r\nBody="
            ).encode()
        )
        for _ in range(5):
            try:
                sock.sendall(b"x" * 65536)
            except OSError:
                break
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 413") or answer == b""  # reset before the 413 was read: also closed
