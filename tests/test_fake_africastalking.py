"""The fake Africa's Talking API speaks AT's documented format (asked with the stdlib, not our client)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.fake_africastalking import API_KEY, NO_AUTH, USERNAME, FakeAfricasTalking

NUMBER = "+254711000111"
HEADERS = {"apiKey": API_KEY, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
FORM = {"username": USERNAME, "to": NUMBER, "message": "Hello", "from": "20880"}


def post(url: str, body: str | bytes, headers: dict, path: str = "/version1/messaging") -> tuple[int, str, str]:
    """(status, content type, body) of one POST."""
    connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=5)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read().decode()
    finally:
        connection.close()


CASES = [
    # (case, form, headers, status, content type, sent)
    ("valid", FORM, HEADERS, 201, "application/json", 1),
    ("wrong API key", FORM, HEADERS | {"apiKey": "wrong"}, 401, "text/plain", 0),
    ("no API key", FORM, {k: v for k, v in HEADERS.items() if k != "apiKey"}, 401, "text/plain", 0),
    ("wrong username", FORM | {"username": "other"}, HEADERS, 401, "text/plain", 0),
    ("no to", {k: v for k, v in FORM.items() if k != "to"}, HEADERS, 400, "text/plain", 0),
    ("no message", FORM | {"message": ""}, HEADERS, 400, "text/plain", 0),
    ("repeated to", list(FORM.items()) + [("to", "+254722000222")], HEADERS, 400, "text/plain", 0),
    ("JSON body", FORM, HEADERS | {"Content-Type": "application/json"}, 400, "text/plain", 0),
    ("XML unless JSON is accepted", FORM, HEADERS | {"Accept": "*/*"}, 201, "application/xml", 1),
    ("an invalid number is a recipient's 403", FORM | {"to": "12ab"}, HEADERS, 201, "application/json", 0),
    ("two numbers", FORM | {"to": NUMBER + ",+254722000222"}, HEADERS, 201, "application/json", 2),
]


@pytest.mark.parametrize(
    ("case", "form", "headers", "status", "content_type", "sent"), CASES, ids=[c[0] for c in CASES]
)
def test_the_fake_checks_a_request_as_at_does(case, form, headers, status, content_type, sent):
    with FakeAfricasTalking() as fake:
        answer = post(fake.url, urlencode(form), headers)
    assert answer[:2] == (status, content_type), answer
    assert len(fake.sent) == sent
    if status == 401:
        assert answer[2] == NO_AUTH


def test_a_success_is_at_documented_json():
    with FakeAfricasTalking() as fake:
        _, _, body = post(fake.url, urlencode(FORM | {"to": NUMBER + ",0"}), HEADERS)
    data = json.loads(body)["SMSMessageData"]
    assert data["Message"] == "Sent to 1/2 Total Cost: KES 0.8000"
    sent, failed = data["Recipients"]
    assert set(sent) == {"statusCode", "number", "status", "cost", "messageId"}
    assert (sent["statusCode"], sent["number"], sent["status"], sent["cost"]) == (101, NUMBER, "Success", "KES 0.8000")
    assert re.fullmatch(r"ATXid_[0-9a-f]{32}", sent["messageId"]) and sent["messageId"] == fake.sent[0]["messageId"]
    assert failed == {
        "statusCode": 403,
        "number": "0",
        "status": "InvalidPhoneNumber",
        "cost": "0",
        "messageId": "None",
    }


def test_a_scripted_recipient_failure_carries_at_status_word():
    with FakeAfricasTalking() as fake:
        fake.recipient_status = 406
        _, _, body = post(fake.url, urlencode(FORM), HEADERS)
    [recipient] = json.loads(body)["SMSMessageData"]["Recipients"]
    assert (recipient["statusCode"], recipient["status"]) == (406, "UserInBlacklist") and not fake.sent


def test_one_connection_carries_many_requests():
    with FakeAfricasTalking() as fake:
        connection = http.client.HTTPConnection(urlsplit(fake.url).netloc, timeout=5)
        statuses, sockets = [], set()
        for _ in range(3):
            connection.request("POST", "/version1/messaging", body=urlencode(FORM), headers=HEADERS)
            response = connection.getresponse()
            response.read()
            statuses.append((response.status, response.getheader("Connection")))
            sockets.add(connection.sock)
        assert len(sockets) == 1 and None not in sockets
        connection.close()
    assert statuses == [(201, None)] * 3 and len(fake.sent) == 3


def test_stopped_it_refuses_and_started_again_it_answers_on_the_same_port():
    with FakeAfricasTalking() as fake:
        url = fake.url
        fake.stop()
        with pytest.raises(ConnectionRefusedError):
            post(url, urlencode(FORM), HEADERS)
        fake.start()
        assert fake.url == url and post(url, urlencode(FORM), HEADERS)[0] == 201


def wait_for(check, seconds: float = 10.0):
    """check()'s first truthy value, polled; fails after seconds."""
    deadline = time.monotonic() + seconds
    while not (value := check()):
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)
    return value


def refused(url: str) -> bool:
    """Whether nothing listens at url (asked with a bare connection, which sends nothing)."""
    try:
        parts = urlsplit(url)
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except ConnectionError:  # refused, or reset: caught in its backlog as it closed
        return True
    return False


def test_as_a_process_it_prints_its_url_logs_each_message_and_obeys_its_control(tmp_path: Path):
    log = tmp_path / "sent.jsonl"
    command = [sys.executable, "-m", "tests.fake_africastalking", "--port", "0", "--log", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+", url)
        assert post(url, json.dumps({"fail_next": 1}), {}, path="/__fake/control")[0] == 200
        assert [post(url, urlencode(FORM), HEADERS)[0] for _ in range(2)] == [500, 201]
        post(url, json.dumps({"down_for": 0.5}), {}, path="/__fake/control")
        wait_for(lambda: refused(url))
        wait_for(lambda: not refused(url))
        lines = [json.loads(line) for line in log.read_text().splitlines()]
        assert [(line["to"], line["message"], line["from"]) for line in lines] == [(NUMBER, "Hello", "20880")]
    finally:
        process.kill()
        process.wait(timeout=10)
