"""The Africa's Talking messaging client against the fake of AT's documented API (tests/fake_africastalking)."""

from __future__ import annotations

import asyncio
import re

import pytest
from pydantic import SecretStr

from service.channels.africastalking_api import MAX_BODY_BYTES, AfricasTalkingApi, Outgoing, api_of
from service.channels.africastalking_results import Refusal, Sent, Trouble, Unsure, parse_cost, result_of
from service.settings import LIVE_API, SANDBOX_API
from tests.fake_africastalking import API_KEY, USERNAME, FakeAfricasTalking

NUMBER = "+254711000111"
SHORT_CODE = "20880"
REPLY = Outgoing(
    to=NUMBER, message="HER2: a summary. Ask your care team.", sender_id=SHORT_CODE, link_id="SampleLinkId"
)
# The number's digits in any form: a reason must hold none of them.
DIGITS = re.compile(r"254711|711000|000111")


def api(url: str, *, api_key: str = API_KEY, username: str = USERNAME, timeout: float = 5.0) -> AfricasTalkingApi:
    return AfricasTalkingApi(base_url=url, username=username, api_key=api_key, timeout=timeout, concurrency=4)


def send_all(client: AfricasTalkingApi, *replies: Outgoing) -> list:
    """Every reply sent at once on a fresh loop; the client closed afterwards."""

    async def run() -> list:
        try:
            return await asyncio.gather(*(client.send(reply) for reply in replies))
        finally:
            await client.close()

    return asyncio.run(run())


def accepted(result) -> bool:
    return (
        isinstance(result, Sent)
        and re.fullmatch(r"ATXid_[0-9a-f]{32}", result.provider_id) is not None
        and (result.cost, result.currency) == (0.8, "KES")
    )


def script(**attributes):
    return lambda fake: [setattr(fake, name, value) for name, value in attributes.items()]


CASES = [
    # (case, script the fake, client options, reply, expected result (or a predicate), sent by the fake)
    ("accepted", script(), {}, REPLY, accepted, 1),
    ("slow but within the timeout", script(delay=0.2), {}, REPLY, accepted, 1),
    ("wrong API key", script(), {"api_key": "not-the-key"}, REPLY, Refusal("http_401"), 0),
    ("wrong username", script(), {"username": "someone"}, REPLY, Refusal("http_401"), 0),
    ("an invalid number", script(), {}, Outgoing(to="+25471x", message="hi", sender_id=""), Refusal("InvalidPhoneNumber"), 0),
    ("RiskHold", script(recipient_status=401), {}, REPLY, Refusal("RiskHold"), 0),
    ("InvalidSenderId", script(recipient_status=402), {}, REPLY, Refusal("InvalidSenderId"), 0),
    ("InvalidPhoneNumber", script(recipient_status=403), {}, REPLY, Refusal("InvalidPhoneNumber"), 0),
    ("InsufficientBalance", script(recipient_status=405), {}, REPLY, Refusal("InsufficientBalance"), 0),
    ("UserInBlacklist", script(recipient_status=406), {}, REPLY, Refusal("UserInBlacklist"), 0),
    ("DoNotDisturbRejection", script(recipient_status=409), {}, REPLY, Refusal("DoNotDisturbRejection"), 0),
    ("GatewayError", script(recipient_status=501), {}, REPLY, Refusal("GatewayError"), 0),
    ("an undocumented code", script(recipient_status=499), {}, REPLY, Refusal("status_499"), 0),
    ("HTTP 400", lambda fake: fake.fail_next(1, 400), {}, REPLY, Refusal("http_400"), 0),
    ("HTTP 500", lambda fake: fake.fail_next(1), {}, REPLY, Trouble("http_500"), 0),
    ("HTTP 503", lambda fake: fake.fail_next(1, 503), {}, REPLY, Trouble("http_503"), 0),
    ("HTTP 429", lambda fake: fake.fail_next(1, 429), {}, REPLY, Trouble("http_429"), 0),
    ("a redirect", lambda fake: fake.fail_next(1, 302), {}, REPLY, Trouble("http_302"), 0),
    ("no answer within the timeout", script(hang=True), {"timeout": 0.3}, REPLY, Trouble("timeout"), 0),
    ("connection refused", lambda fake: fake.stop(), {}, REPLY, Trouble("connect"), 0),
    ("a success just within the cap", script(padding=MAX_BODY_BYTES - 1000), {}, REPLY, accepted, 1),
    ("a success larger than the cap", script(padding=MAX_BODY_BYTES), {}, REPLY, Unsure("bad_response"), 1),
]  # fmt: skip


@pytest.mark.parametrize(("case", "arrange", "options", "reply", "expected", "sent"), CASES, ids=[c[0] for c in CASES])
def test_a_send_ends_as_the_fake_answers(case, arrange, options, reply, expected, sent):
    with FakeAfricasTalking() as fake:
        arrange(fake)
        [result] = send_all(api(fake.url, **options), reply)
    assert expected(result) if callable(expected) else result == expected, result
    assert len(fake.sent) == sent
    assert fake.calls == (case != "connection refused"), "one send is one request, never a hidden retry"
    assert not DIGITS.search(repr(result)), "a result names her number"


def test_the_request_carries_exactly_the_fields_and_headers_at_documents():
    with FakeAfricasTalking() as fake:
        [result] = send_all(api(fake.url + "/"), REPLY)
    [received] = fake.sent
    assert received == {
        "username": USERNAME,
        "to": NUMBER,
        "message": REPLY.message,
        "from": SHORT_CODE,
        "linkId": "SampleLinkId",
        "messageId": result.provider_id,
        "fields": "from,linkId,message,to,username",
        "accept": "application/json",
        "content_type": "application/x-www-form-urlencoded",
    }


def test_from_and_link_id_are_left_out_when_empty():
    with FakeAfricasTalking() as fake:
        [result] = send_all(api(fake.url), Outgoing(to=NUMBER, message="Karibu", sender_id=""))
    assert accepted(result)
    assert fake.sent[0]["fields"] == "message,to,username"


def test_a_message_outside_gsm7_arrives_whole():
    text = "Muulize daktari wako 🙂 — Hỏi bác sĩ"
    with FakeAfricasTalking() as fake:
        send_all(api(fake.url), Outgoing(to=NUMBER, message=text, sender_id=SHORT_CODE))
    assert fake.sent[0]["message"] == text


def test_many_sends_at_once_past_the_concurrency_each_get_their_own_id():
    replies = [Outgoing(to=f"+2547110{i:05d}", message=f"reply {i}", sender_id=SHORT_CODE) for i in range(40)]
    with FakeAfricasTalking() as fake:
        results = send_all(api(fake.url), *replies)
    assert all(accepted(result) for result in results)
    assert len({result.provider_id for result in results}) == 40
    assert sorted(record["to"] for record in fake.sent) == sorted(reply.to for reply in replies)


def test_a_gateway_that_comes_back_on_its_port_is_used_again():
    with FakeAfricasTalking() as fake:
        client = api(fake.url)

        async def run() -> list:
            first = await client.send(REPLY)
            # In a thread, as AT going away would: the loop sees its connections close meanwhile.
            await asyncio.to_thread(fake.stop)
            down = await client.send(REPLY)
            await asyncio.to_thread(fake.start)
            again = await client.send(REPLY)
            await client.close()
            return [first, down, again]

        first, down, again = asyncio.run(run())
    assert accepted(first) and down == Trouble("connect") and accepted(again)
    assert len(fake.sent) == 2


def test_the_number_and_text_are_not_in_a_replys_repr():
    assert NUMBER not in repr(REPLY) and REPLY.message not in repr(REPLY)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not json", Unsure("bad_response")),
        (b"[" * 100_000, Unsure("bad_response")),
        (b'{"SMSMessageData": {}}', Unsure("bad_response")),
        (b'{"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}', Refusal("InvalidSenderId")),
        (b'{"SMSMessageData": {"Message": "Sent to 0/1 +254711000111", "Recipients": []}}', Refusal("no_recipient")),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": 101, "messageId": "a"}, {"statusCode": 101}]}}',
         Unsure("bad_response")),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": 101, "messageId": "None"}]}}', Unsure("bad_response")),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": 101}]}}', Unsure("bad_response")),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": 254711000111}]}}', Unsure("bad_response")),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": true, "messageId": "a"}]}}', Unsure("bad_response")),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": 102, "messageId": "ATXid_1", "cost": "0"}]}}',
         Sent("ATXid_1", None, None)),
        (b'{"SMSMessageData": {"Recipients": [{"statusCode": 100, "messageId": "ATXid_2", "cost": "USD 0.0100"}]}}',
         Sent("ATXid_2", 0.01, "USD")),
    ],
)  # fmt: skip
def test_a_success_body_is_read_strictly(body, expected):
    assert result_of(body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KES 0.8000", (0.8, "KES")),
        ("USD 0.0100", (0.01, "USD")),
        ("UGX 25", (25.0, "UGX")),
        ("0", (None, None)),
        ("None", (None, None)),
        ("KES -1", (None, None)),
        ("KES inf", (None, None)),
        ("kes 0.8", (None, None)),
        ("ZZZ 1.0", (None, None)),  # not a currency of AT's markets: no new label, no "mixed" day
        ("KES 999999999.99", (None, None)),  # no SMS costs this much: a broken gateway's price
        ("KES 1000", (1000.0, "KES")),
        (None, (None, None)),
        (0.8, (None, None)),
    ],
)
def test_a_cost_is_read_as_amount_and_currency(text, expected):
    assert parse_cost(text) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, None),
        ({"africastalking_username": "line"}, None),
        ({"africastalking_api_key": SecretStr("the-secret-key")}, None),
        ({"africastalking_username": "line", "africastalking_api_key": SecretStr("")}, None),
        ({"africastalking_username": "line", "africastalking_api_key": SecretStr("the-secret-key")}, LIVE_API),
        ({"africastalking_username": "sandbox", "africastalking_api_key": SecretStr("the-secret-key")}, SANDBOX_API),
        (
            {"africastalking_username": "line", "africastalking_api_key": SecretStr("the-secret-key"),
             "africastalking_api_url": "http://127.0.0.1:9/"},
            "http://127.0.0.1:9",
        ),
    ],
)  # fmt: skip
def test_the_api_of_a_configuration(settings, fields, expected):
    client = api_of(settings.model_copy(update=fields | {"outbox_send_timeout_seconds": 3.0}))
    if expected is None:
        assert client is None
    else:
        assert client is not None and client.url == expected + "/version1/messaging"
        assert (client.username, client.timeout) == (fields["africastalking_username"], 3.0)
        assert "the-secret-key" not in repr(client)


def test_an_id_that_echoes_her_number_is_not_kept_and_the_reply_not_sent_again():
    with FakeAfricasTalking() as fake:
        fake.message_id = "ATXid_" + NUMBER.lstrip("+")
        api = AfricasTalkingApi(base_url=fake.url, username=USERNAME, api_key=API_KEY, timeout=2, concurrency=1)
        assert send_all(api, REPLY) == [Unsure("bad_response")]
