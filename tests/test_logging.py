"""Log lines: readable text for a person at a terminal, JSON for a collector; neither holds a number or a body."""

import io
import json
import logging
import re
import signal
from pathlib import Path

import httpx2
import pytest

from service.observability import REQUEST_ID, chosen_format, configure_logging
from tests.conftest import TOKEN, sign, twilio_form
from tests.server import running_service

TIME = r"\d\d:\d\d:\d\d"
SECRET_BODY = "my private worry about surgery"
SENDER = "+15559876543"


def signed_post(url: str, form: dict[str, str]) -> httpx2.Response:
    return httpx2.post(url + "/sms", data=form, headers={"X-Twilio-Signature": sign(form, url=url + "/sms")})


class Terminal(io.StringIO):
    """A stream that says it is a terminal, whatever runs the tests."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restored_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize(
    ("log_format", "stream", "chosen"),
    [
        ("auto", Terminal(), "text"),
        ("auto", io.StringIO(), "json"),
        ("json", Terminal(), "json"),
        ("text", io.StringIO(), "text"),
    ],
)
def test_text_on_a_terminal_json_elsewhere_unless_set(log_format, stream, chosen):
    assert chosen_format(log_format=log_format, stream=stream) == chosen


def logged(stream: io.StringIO, *, extra: dict, request_id: str = "-") -> str:
    """What one webhook-like record writes to the stream, once logging is configured on it."""
    configure_logging("INFO", stream=stream)
    token = REQUEST_ID.set(request_id)
    try:
        logging.getLogger("service.web.webhook").info("answered", extra=extra)
    finally:
        REQUEST_ID.reset(token)
    return stream.getvalue()


def test_a_terminal_gets_time_level_logger_message_then_extras_and_the_request_id():
    extra = {"intent": "topic", "topic": "her2", "locale": "es", "segments": 2}
    line = logged(Terminal(), extra=extra, request_id="ab12cd34")
    assert re.fullmatch(
        TIME
        + r" INFO  service\.web\.webhook answered intent=topic topic=her2 locale=es segments=2 request_id=ab12cd34\n",
        line,
    ), line


def test_text_values_with_spaces_are_quoted_and_no_request_id_is_left_out():
    line = logged(Terminal(), extra={"reason": 'not "signed" = refused', "empty": ""})
    assert line.endswith(r' answered reason="not \"signed\" = refused" empty=""' + "\n") and "request_id" not in line


def test_a_traceback_follows_its_text_line():
    stream = Terminal()
    configure_logging("INFO", stream=stream)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("service.app").exception("keeping current failed", extra={"error": "RuntimeError"})
    first, *rest = stream.getvalue().splitlines()
    assert re.fullmatch(TIME + r" ERROR service\.app keeping current failed error=RuntimeError", first)
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "RuntimeError: boom"


def test_elsewhere_each_record_is_one_json_object():
    entry = json.loads(logged(io.StringIO(), extra={"topic": "her2"}, request_id="ab12cd34"))
    assert entry["message"] == "answered" and entry["topic"] == "her2" and entry["request_id"] == "ab12cd34"
    assert {"asctime", "levelname", "name"} <= entry.keys()


def test_log_format_text_forces_text_and_json_forces_json():
    stream = io.StringIO()
    configure_logging("INFO", log_format="text", stream=stream)
    logging.getLogger("service.app").warning("applied spooled messages", extra={"count": 3})
    assert re.fullmatch(TIME + r" WARNING service\.app applied spooled messages count=3\n", stream.getvalue())
    terminal = Terminal()
    configure_logging("INFO", log_format="json", stream=terminal)
    logging.getLogger("service.app").warning("applied spooled messages", extra={"count": 3})
    assert json.loads(terminal.getvalue())["count"] == 3


def test_text_lines_of_the_real_server_hold_no_number_or_body(tmp_path):
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "LOG_FORMAT": "text"}
    with running_service(env) as (url, process):
        request_id = signed_post(url, twilio_form(SECRET_BODY, From=SENDER)).headers["x-request-id"]
        signed_post(url, twilio_form(SECRET_BODY, From="whatsapp:" + SENDER))
        httpx2.post(url + "/sms", data={"Body": SECRET_BODY, "From": SENDER})
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        output = Path(process.log_path).read_text(encoding="utf-8")
    assert re.search(TIME + r" INFO  service\.web\.inbound answered intent=\S+ .* request_id=" + request_id, output)
    assert "{" not in output and "9876543" not in output and "private worry" not in output


def test_workers_log_as_the_parent_does(tmp_path):
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "LOG_FORMAT": "text"}
    with running_service(env, args=("--workers", "2")) as (url, process):
        httpx2.get(url + "/healthz")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        output = Path(process.log_path).read_text(encoding="utf-8")
    # Each worker process writes this line once, after configuring its own logging.
    assert len(re.findall(TIME + r" INFO  uvicorn\.error Waiting for application startup\.\n", output)) == 2
    assert '"levelname"' not in output
