"""/admin/outbox: counts by status and the latest replies that went wrong, from rows the real flow, sender
and store wrote (Africa's Talking's fake API scripted to fail), never a number, behind the admin's gate."""

from __future__ import annotations

import re
import time

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.channels.africastalking_api import MAX_BODY_BYTES
from service.store import outbox
from service.store.dialect import dialect_of
from service.store.outbox_admin import MAX_TROUBLED
from tests.outbox.helpers import at_settings, outbox_rows, post_text, wait_for
from tests.web.admin_helpers import with_tokens

PHONE_DIGITS = "711000123"  # tests.channels.test_africastalking_sms.PHONE's own digits
BEARER = {"Authorization": "Bearer alice-token-123"}


@pytest.fixture
def line_app(tmp_path, fake, database_url, request):
    overrides = getattr(request, "param", {})
    settings = with_tokens(at_settings(tmp_path, fake.url, database_url))
    return create_app(settings.model_copy(update=overrides))


@pytest.fixture
def client(line_app):
    with TestClient(line_app, headers=BEARER) as test_client:
        yield test_client


def status_cells(page: str) -> dict[str, str]:
    """status -> its count, from the counts table."""
    return dict(re.findall(r"<tr><td>([a-z]+)</td><td>(\d+)</td><td>", page))


def troubled_rows(page: str) -> list[list[str]]:
    """The latest-that-went-wrong table's rows as cell texts."""
    table = page.split("The latest that went wrong", 1)[1]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", table)]


@pytest.mark.parametrize("line_app", [{"outbox_dead_after_seconds": 0.5}], indirect=True)
def test_a_dead_reply_is_listed_with_its_reason_and_attempts_and_no_number(client, fake):
    fake.fail_next(1000, status=503)
    post_text(client, "HER2")
    wait_for(lambda: outbox_rows(client.app.state.line)[0][1] == "dead", seconds=30)
    [(_, _, attempts, _, _, reason)] = outbox_rows(client.app.state.line)
    page = client.get("/admin/outbox").text
    assert status_cells(page)["dead"] == "1" and status_cells(page)["queued"] == "0"
    [row] = troubled_rows(page)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[0])
    assert row[1:] == ["hope-clinic", "dead", reason, str(attempts)] and reason == "http_503"
    assert "the line stopped while sending; not sent again, in case it went." in page
    assert PHONE_DIGITS not in page


@pytest.mark.parametrize(
    ("case", "script", "status", "reason"),
    [
        ("the network refuses her number", {"recipient_status": 406}, "failed", "UserInBlacklist"),
        ("a yes too long to read: it may have gone", {"padding": MAX_BODY_BYTES}, "unknown", "bad_response"),
    ],
)
def test_each_fate_that_went_wrong_is_listed_with_its_reason(client, fake, case, script, status, reason):
    fake.control(script)
    post_text(client, "HER2")
    wait_for(lambda: outbox_rows(client.app.state.line)[0][1] == status)
    page = client.get("/admin/outbox").text
    assert status_cells(page)[status] == "1", case
    assert [row[1:4] for row in troubled_rows(page)] == [["hope-clinic", status, reason]], case
    assert PHONE_DIGITS not in page, case


@pytest.mark.parametrize("line_app", [{"africastalking_api_key": None}], indirect=True)
def test_a_queued_reply_shows_as_counted_and_its_sealed_number_nowhere(client):
    post_text(client, "HER2")
    with client.app.state.line.store.unit.transaction(write=False) as cursor:
        [(status, sealed)] = cursor.execute("SELECT status, recipient FROM outbox").fetchall()
    assert status == "queued" and sealed and PHONE_DIGITS not in sealed  # the number kept, sealed
    page = client.get("/admin/outbox").text
    assert status_cells(page)["queued"] == "1" and troubled_rows(page) == []
    assert "No Africa's Talking username and API key are set" in page
    assert PHONE_DIGITS not in page and sealed not in page


@pytest.mark.parametrize("line_app", [{"africastalking_api_key": None}], indirect=True)
def test_only_the_latest_hundred_are_listed_newest_first_and_all_are_counted(client):
    line = client.app.state.line
    dialect = dialect_of(line.store.unit)
    start = time.time() - 1000
    queued = [
        outbox.Queued(message_sid=f"AT-{n:04d}", gateway="africastalking", program="default", sender_key="k" * 64,
                      recipient="sealed", body="text", sender_id="21525", link_id="", at=start + n)
        for n in range(MAX_TROUBLED + 5)
    ]  # fmt: skip
    with line.store.unit.transaction(write=True) as cursor:
        outbox.queue(cursor, dialect, queued)
        for row in outbox.claim(cursor, dialect, token="t", now=time.time(), limit=len(queued)):
            outbox.failed(cursor, dialect, row, token="t", reason=f"r{row.message_sid[-4:]}", dead=True)
    page = client.get("/admin/outbox").text
    assert status_cells(page)["dead"] == str(MAX_TROUBLED + 5)
    reasons = [row[3] for row in troubled_rows(page)]
    assert reasons == [f"r{n:04d}" for n in range(MAX_TROUBLED + 4, 4, -1)]


def test_the_outbox_page_needs_an_admin_and_only_reads(line_app):
    with TestClient(line_app) as anonymous:
        response = anonymous.get("/admin/outbox")
        assert response.status_code == 401 and "Outbox" not in response.text
        assert anonymous.get("/admin/outbox", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert anonymous.post("/admin/outbox", headers=BEARER).status_code == 405
