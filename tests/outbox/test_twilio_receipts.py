"""Twilio's TwiML replies carry an action URL; its signed status callbacks there settle each reply's fate."""

from __future__ import annotations

import datetime
import re

import pytest

from service.store.usage import usage
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import find_record

ACTION = re.compile(r'<Message action="(/delivery/twilio\?reply=(SM[0-9a-f]{32}))">')


def callback(client, action: str, status: str, **fields):
    form = {"MessageSid": "SM" + "f" * 32, "MessageStatus": status, "AccountSid": "AC" + "1" * 32} | fields
    return client.post(action, data=form, headers={"X-Twilio-Signature": sign(form, url=BASE_URL + action)})


def her2_row(app):
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    [row] = [row for row in usage(app.state.line.store.engine, since=since) if row.topic == "her2"]
    return row


@pytest.mark.parametrize(
    ("statuses", "delivery", "counts"),
    [
        (["sent", "delivered"], "delivered", (0, 1, 0)),
        (["delivered", "sent"], "delivered", (0, 1, 0)),  # a late "sent" does not undo "delivered"
        (["undelivered"], "failed", (0, 0, 1)),
        (["failed", "delivered"], "failed", (0, 0, 1)),  # a fate, once final, stays
        (["queued", "sending"], "sent", (1, 0, 0)),
    ],
)  # fmt: skip
def test_status_callbacks_settle_the_reply_they_name(app, client, statuses, delivery, counts):
    form = twilio_form("HER2")
    reply = client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})
    action, sid = ACTION.search(reply.text).groups()
    assert sid == form["MessageSid"]
    for status in statuses:
        assert callback(client, action, status).status_code == 200
    assert find_record(app.state.line.store, sid).delivery == delivery
    row = her2_row(app)
    assert (row.pending, row.delivered, row.failed) == counts


def test_a_callback_signed_for_another_reply_is_refused_and_changes_nothing(app, client):
    form = twilio_form("HER2")
    reply = client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})
    action, sid = ACTION.search(reply.text).groups()
    other = "/delivery/twilio?reply=SM" + "0" * 32
    body = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}
    forged = client.post(action, data=body, headers={"X-Twilio-Signature": sign(body, url=BASE_URL + other)})
    assert forged.status_code == 403
    assert find_record(app.state.line.store, sid).delivery == "sent"
