"""/admin/usage and usage.csv: each program × locale × channel's fates and cost per delivered answer, from
records written by the real flow (Africa's Talking through the fake API, Twilio signed) and moved by receipts."""

from __future__ import annotations

import csv
import io

import pytest
from pydantic import SecretStr

from service.admin_usage import MIXED, cost_rows, merged_currency, money, per_delivered
from service.store.usage import UsageRow
from tests.conftest import BASE_URL, TOKEN, sign, twilio_form
from tests.outbox.helpers import KEY, at_settings, outbox_rows, post_text, wait_for
from tests.web.admin_helpers import admin_client, log_in, with_tokens

AT_PHONE_DIGITS = "711000123"  # tests.channels.test_africastalking_sms.PHONE's own digits
TWILIO_SENDER = "+15557654321"
TWILIO_NOTE = "Twilio's status callbacks carry no price; its cost is the segments column × your rate"


@pytest.fixture
def client(tmp_path, fake):
    settings = at_settings(tmp_path, fake.url).model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN), "allowed_hosts": ("line.test",)}
    )
    with admin_client(with_tokens(settings)) as test_client:
        log_in(test_client)
        yield test_client


def at_report(client, provider_id: str, status: str):
    form = {"id": provider_id, "status": status, "phoneNumber": "+254711000123", "networkCode": "63902"}
    assert client.post(f"/delivery/africastalking?key={KEY}", data=form).status_code == 200


def twilio_text_delivered(client) -> None:
    """A Twilio text answered by TwiML, then its signed status callback: delivered, and no price said."""
    form = twilio_form("HER2", From=TWILIO_SENDER)
    assert client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}).status_code == 200
    path = f"/delivery/twilio?reply={form['MessageSid']}"
    status = {"MessageSid": "SM" + "7" * 32, "SmsSid": "SM" + "7" * 32, "MessageStatus": "delivered"}
    signature = sign(status, url=BASE_URL + path)
    assert client.post(path, data=status, headers={"X-Twilio-Signature": signature}).status_code == 200


def at_texts_one_delivered_one_failed(client, fake) -> None:
    """Two Africa's Talking texts sent through the fake (KES 0.8 each): one delivered, one failed."""
    post_text(client, "HER2")
    post_text(client, "HER2")
    line = client.app.state.line
    wait_for(lambda: [row[1] for row in outbox_rows(line)] == ["sent", "sent"])
    first, second = (sent["messageId"] for sent in fake.sent)
    at_report(client, first, "Success")
    at_report(client, second, "Failed")


def cost_table(page: str) -> list[list[str]]:
    """The cost table's rows as cell texts."""
    table = page.split('<table id="costs">', 1)[1].split("</table>", 1)[0]
    rows = [row.split("</tr>", 1)[0] for row in table.split("<tr>")[2:]]
    return [[cell.split("</td>", 1)[0] for cell in row.split("<td>")[1:]] for row in rows]


def test_the_page_shows_each_rows_fates_and_cost_per_delivered_answer(client, fake):
    at_texts_one_delivered_one_failed(client, fake)
    twilio_text_delivered(client)
    page = client.get("/admin/usage").text
    # program, locale, channel, gateway, replies, delivered, failed, pending, cancelled, segments, cost, per delivered
    by_locale = {row[1]: row for row in cost_table(page)}
    assert by_locale["sw"][:4] == ["hope-clinic", "sw", "sms", "africastalking"]
    assert by_locale["sw"][4:9] == ["2", "1", "1", "0", "0"]
    assert by_locale["sw"][10:] == ["1.6000 KES", "1.6000 KES"]  # the failed one's price is part of the delivered one's
    assert by_locale["en"][3:9] == ["twilio", "1", "1", "0", "0", "0"]
    assert by_locale["en"][10:] == ["—", "—"]  # Twilio delivered it and said no price
    assert TWILIO_NOTE in page and "<svg" in page  # the chart stays
    assert "Delivered <strong>2</strong> · failed <strong>1</strong>" in page
    assert AT_PHONE_DIGITS not in page and TWILIO_SENDER[2:] not in page


def test_the_csv_ends_with_cost_per_delivered_blank_where_none_was_delivered(client, fake):
    post_text(client, "HER2")
    wait_for(lambda: outbox_rows(client.app.state.line)[0][1] == "sent")
    at_report(client, fake.sent[0]["messageId"], "Success")
    post_text(client, "MENU")  # sent, its receipt never comes: pending, nothing delivered
    wait_for(lambda: [row[1] for row in outbox_rows(client.app.state.line)] == ["sent", "sent"])
    text = client.get("/admin/usage.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[-6:] == ["delivered", "failed", "cancelled", "cost", "currency", "cost_per_delivered"]
    by_intent = {row["intent"]: row for row in rows}
    her2, menu = by_intent["topic"], by_intent["menu"]
    assert (her2["delivered"], her2["cost"], her2["currency"], her2["cost_per_delivered"]) == ("1", "0.8", "KES", "0.8")
    assert (menu["pending"], menu["delivered"], menu["cost"], menu["cost_per_delivered"]) == ("1", "0", "0.8", "")
    assert AT_PHONE_DIGITS not in text


def test_the_usage_pages_need_an_admin(client):
    client.post("/admin/logout", data={"csrf": log_in(client)})
    for path in ("/admin/usage", "/admin/usage.csv"):
        response = client.get(path)
        assert response.status_code == 401 and "Cost per delivered" not in response.text


def usage_row(**fields) -> UsageRow:
    values = dict(day="2026-11-30", program="p", channel="sms", gateway="twilio", locale="en", intent="topic", topic="her2", messages=1,
                  replies=1, segments=1, rate_limited=0, pending=0, delivered=0, failed=0, cancelled=0, cost=0.0,
                  currency="")  # fmt: skip
    return UsageRow(**(values | fields))


@pytest.mark.parametrize(
    ("first", "second", "merged"),
    [
        ("", "", ""),
        ("KES", "", "KES"),
        ("", "USD", "USD"),
        ("KES", "KES", "KES"),
        ("KES", "USD", MIXED),
        (MIXED, "KES", MIXED),
        ("", MIXED, MIXED),
    ],  # fmt: skip
)
def test_currencies_merge_and_two_never_make_one_amount(first, second, merged):
    assert merged_currency(first, second) == merged


@pytest.mark.parametrize(
    ("cost", "currency", "delivered", "amount", "shown"),
    [
        (1.6, "KES", 2, 0.8, "0.8000 KES"),
        (1.6, "KES", 0, None, "—"),  # none delivered
        (0.0, "", 3, None, "—"),  # delivered, no gateway said a price (Twilio)
        (2.0, MIXED, 2, None, "mixed currencies"),
        (12345.5, "KES", 1, 12345.5, "12,345.5000 KES"),
    ],
)
def test_cost_per_delivered_answer_and_how_it_is_shown(cost, currency, delivered, amount, shown):
    assert per_delivered(cost=cost, currency=currency, delivered=delivered) == amount
    assert money(amount, currency) == shown


def test_cost_rows_sum_days_and_topics_per_program_locale_and_channel():
    rows = [
        usage_row(day="2026-11-29", delivered=1, cost=0.8, currency="KES"),
        usage_row(day="2026-11-30", topic="goals", pending=1, failed=1, cost=1.6, currency="KES", replies=2),
        usage_row(locale="sw", cancelled=1),
        usage_row(program="a", channel="ussd", replies=0),
    ]
    table = cost_rows(rows)
    assert [(row.program, row.locale, row.channel) for row in table] == [("a", "en", "ussd"), ("p", "en", "sms"),
                                                                        ("p", "sw", "sms")]  # fmt: skip
    summed = table[1]
    assert (summed.replies, summed.delivered, summed.failed, summed.pending, summed.cancelled) == (3, 1, 1, 1, 0)
    assert (summed.cost_text, summed.per_delivered_text) == ("2.4000 KES", "2.4000 KES")
    assert (table[2].cancelled, table[2].cost_text, table[2].per_delivered_text) == (1, "—", "—")
