"""Africa's Talking's texts answered end to end: webhook, outbox, the fake API, its receipts, usage."""

from __future__ import annotations

import datetime

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.store.usage import usage
from tests.outbox.helpers import KEY, at_settings, outbox_rows, outbox_table, post_text, wait_for
from tests.store_helpers import find_record

PHONE = "+254711000123"


def usage_now(line):
    return usage(line.store.engine, since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1))


def report(client, provider_id: str, status: str):
    form = {"id": provider_id, "status": status, "phoneNumber": PHONE, "networkCode": "63902", "retryCount": "0"}
    return client.post(f"/delivery/africastalking?key={KEY}", data=form)


def test_a_text_is_answered_through_the_api_and_its_receipt_makes_it_delivered_at_its_cost(line_client, fake):
    line, client = line_client
    response = post_text(client, "HER2", to="21525", linkId="Link-1")
    assert (response.status_code, response.text) == (200, "")
    sent = wait_for(lambda: fake.sent)[0]
    assert (sent["to"], sent["from"], sent["linkId"]) == (PHONE, "21525", "Link-1")
    # The short code is Hope Clinic's (content/programs.toml): its contact closes the referral.
    assert sent["message"].endswith("Hope Clinic, 0800 123 456.")
    wait_for(lambda: outbox_rows(line)[0][1] == "sent")
    assert outbox_rows(line)[0][3:5] == (True, True)  # neither number nor text kept once sent
    assert [row["link_id"] for row in outbox_table(line.store.unit)] == [""]  # nor AT's link id
    assert report(client, sent["messageId"], "Success").status_code == 200
    [row] = [row for row in usage_now(line) if row.topic == "her2"]
    assert (row.delivered, row.pending, row.cost, row.currency, row.cost_per_delivered) == (1, 0, 0.8, "KES", 0.8)


def test_a_message_delivered_again_is_sent_once(line_client, fake):
    line, client = line_client
    first = post_text(client, "HER2", id="same-id")
    again = post_text(client, "HER2", id="same-id")
    assert first.status_code == again.status_code == 200
    wait_for(lambda: outbox_rows(line) and outbox_rows(line)[0][1] == "sent")
    assert len(fake.sent) == 1 and len(outbox_rows(line)) == 1


def test_a_gateway_that_fails_twice_is_tried_again_and_the_reply_sent(line_client, fake):
    line, client = line_client
    fake.fail_next(2, status=503)
    post_text(client, "HER2")
    wait_for(lambda: outbox_rows(line)[0][1] == "sent", seconds=30)
    assert outbox_rows(line)[0][2] == 3 and len(fake.sent) == 1


def test_a_recipient_the_gateway_refuses_is_failed_at_once_and_never_tried_again(line_client, fake):
    line, client = line_client
    fake.recipient_status = 406
    post_text(client, "HER2")
    wait_for(lambda: outbox_rows(line)[0][1] == "failed")
    assert outbox_rows(line)[0][2::3] == (1, "UserInBlacklist")
    [row] = [row for row in usage_now(line) if row.topic == "her2"]
    assert (row.failed, row.pending) == (1, 0)


@pytest.mark.parametrize("line_client", [{"outbox_dead_after_seconds": 0.5}], indirect=True)
def test_a_reply_the_gateway_keeps_failing_is_given_up_on_as_dead(line_client, fake):
    line, client = line_client
    fake.fail_next(1000, status=500)
    post_text(client, "HER2")
    wait_for(lambda: outbox_rows(line)[0][1] == "dead", seconds=30)
    assert find_record(line.store, outbox_rows(line)[0][0]).delivery == "failed"


def test_her_stop_cancels_a_reply_still_queued_and_her_stop_confirmation_is_sent(tmp_path, fake):
    settings = at_settings(tmp_path, fake.url)
    line_app = create_app(settings.model_copy(update={"africastalking_api_key": None}))  # nothing sends yet
    with TestClient(line_app) as client:
        post_text(client, "HER2")
        post_text(client, "STOP")
        line = line_app.state.line
        assert [row[1] for row in outbox_rows(line)] == ["cancelled", "queued"]
        assert find_record(line.store, outbox_rows(line)[0][0]).delivery == "cancelled"
        assert [row["link_id"] for row in outbox_table(line.store.unit)] == ["", "SampleLinkId123"]


def metric(client, name: str, **labels: str) -> float:
    wanted = "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"
    lines = [line for line in client.get("/metrics").text.splitlines() if line.startswith(name + wanted)]
    return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0


def test_metrics_give_cost_and_deliveries_per_program_locale_and_channel(line_client, fake):
    line, client = line_client
    labels = {"program": "hope-clinic", "locale": "sw", "channel": "sms", "gateway": "africastalking"}
    before = (metric(client, "infoline_deliveries_total", **labels, state="delivered"),
              metric(client, "infoline_delivery_cost_total", **labels, currency="KES"))  # fmt: skip
    post_text(client, "HER2", to="21525")
    wait_for(lambda: outbox_rows(line) and outbox_rows(line)[0][1] == "sent")
    report(client, fake.sent[0]["messageId"], "Success")
    after = (metric(client, "infoline_deliveries_total", **labels, state="delivered"),
             metric(client, "infoline_delivery_cost_total", **labels, currency="KES"))  # fmt: skip
    assert (after[0] - before[0], round(after[1] - before[1], 4)) == (1.0, 0.8)
    assert "254711000123" not in client.get("/metrics").text


def test_a_delivery_report_that_outruns_the_senders_settle_still_counts(line_client, fake):
    line, client = line_client
    fake.delay = 0.5  # the fake takes the message, then answers later (within the 1 s timeout): no id yet
    post_text(client, "HER2")
    provider_id = wait_for(lambda: fake.sent)[0]["messageId"]
    assert report(client, provider_id, "Success").status_code == 200  # looked for again until settled
    assert find_record(line.store, outbox_rows(line)[0][0]).delivery == "delivered"


def test_stopping_the_line_settles_what_it_was_sending(tmp_path, fake):
    from service.store import open_store

    fake.delay = 0.5
    app = create_app(at_settings(tmp_path, fake.url))
    with TestClient(app) as client:
        post_text(client, "HER2")
        wait_for(lambda: fake.sent)  # in flight: taken by the fake, not yet answered
    store = open_store(app.state.line.settings.store_url)
    try:
        with store.unit.transaction(write=False) as cursor:
            assert cursor.execute("SELECT status, provider_id FROM outbox").fetchall() == [
                ("sent", fake.sent[0]["messageId"])
            ]
    finally:
        store.close()
