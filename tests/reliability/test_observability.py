"""Health, readiness, metrics, JSON logs without numbers or bodies, and graceful SIGTERM, on the real server."""

import json
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx2
import pytest
from starlette.testclient import TestClient

from service.app import create_app
from tests.conftest import BASE_URL, TOKEN, sign, twilio_form
from tests.server import running_service
from tests.tcp_proxy import TcpProxy

SECRET_BODY = "my private worry about surgery"
SENDER = "+15559876543"


def signed_post(url, form):
    return httpx2.post(
        url + "/sms",
        content=urlencode(form),
        headers={
            "X-Twilio-Signature": sign(form, url=url + "/sms"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


@pytest.fixture
def server(tmp_path):
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "LOG_LEVEL": "DEBUG"}
    with running_service(env) as (url, process):
        yield url, process


def test_health_readiness_and_metrics(server):
    url, _ = server
    assert httpx2.get(url + "/healthz").text == "ok\n"
    ready = httpx2.get(url + "/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok" and "es" in ready.json()["catalogs"]
    signed_post(url, twilio_form("HER2", From=SENDER))
    signed_post(url, twilio_form("STOP", From=SENDER))
    httpx2.post(url + "/sms", data={"Body": "forged"}, headers={"X-Twilio-Signature": "x"})
    metrics = httpx2.get(url + "/metrics").text
    assert 'infoline_webhook_requests_total{outcome="answered"} 2.0' in metrics
    assert 'infoline_webhook_requests_total{outcome="refused_403"} 1.0' in metrics
    assert (
        'infoline_replies_total{channel="sms",intent="topic",locale="en",program="default",topic="her2"} 1.0' in metrics
    )
    assert 'infoline_segments_sent_total{encoding="GSM-7",program="default"}' in metrics
    assert "infoline_webhook_seconds_bucket" in metrics
    assert "9876543" not in metrics and "private" not in metrics


def test_logs_are_json_with_a_request_id_and_hold_no_number_or_body(server):
    url, process = server
    response = signed_post(url, twilio_form(SECRET_BODY, From=SENDER))
    request_id = response.headers["x-request-id"]
    signed_post(url, twilio_form(SECRET_BODY, From="whatsapp:" + SENDER))
    httpx2.post(
        url + "/sms",
        content=urlencode({"Body": SECRET_BODY, "From": SENDER}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    output = Path(process.log_path).read_text(encoding="utf-8")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(entry.get("request_id") == request_id and entry["message"] == "answered" for entry in lines)
    assert all({"asctime", "levelname", "name", "message"} <= entry.keys() for entry in lines)
    assert "9876543" not in output and "private worry" not in output


def test_sigterm_lets_an_in_flight_request_finish(server):
    url, process = server
    fields = twilio_form("HER2", From=SENDER)
    form, signature = urlencode(fields).encode(), sign(fields, url=url + "/sms")
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=15) as sock:
        head = (
            f"POST /sms HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(form)}\r\n\r\n"
        ).encode()
        sock.sendall(head + form[:10])
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        sock.sendall(form[10:])
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection as it shuts down
            answer += chunk
        answer = answer.decode()
    assert answer.startswith("HTTP/1.1 200") and "HER2:" in answer
    # uvicorn finishes in-flight requests, then re-raises the signal it caught.
    assert process.wait(timeout=20) in (0, -signal.SIGTERM)


def test_readyz_says_503_while_the_database_is_away(settings, pg_schema_url):
    parts = urlsplit(pg_schema_url)
    proxy = TcpProxy(parts.port or 5432).start()
    url = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    try:
        with TestClient(create_app(settings.model_copy(update={"database_url": url})), base_url=BASE_URL) as client:
            assert client.get("/readyz").status_code == 200
            proxy.stop()
            away = client.get("/readyz")
            assert away.status_code == 503 and away.json()["database"] == "unavailable"
            proxy.start()
            deadline = time.monotonic() + 10
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        proxy.stop()


def test_uvicorns_access_log_stays_off_in_every_process():
    # uvicorn's protocol writes access lines (with the client's address) whenever this logger has handlers,
    # through propagation too: a worker process configured logging after uvicorn had turned it off.
    import logging

    from service.observability import configure_logging

    configure_logging("INFO")
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    assert logging.getLogger("uvicorn.error").hasHandlers()


def test_workers_write_no_access_lines(tmp_path):
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "LOG_LEVEL": "INFO"}
    with running_service(env, args=("--workers", "2")) as (url, process):
        for _ in range(4):
            httpx2.get(url + "/healthz")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        output = Path(process.log_path).read_text(encoding="utf-8")
    assert "Waiting for application startup" in output  # both workers' lines are here
    assert "uvicorn.access" not in output and "GET /healthz" not in output
