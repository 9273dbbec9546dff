"""Africa's Talking's incoming-SMS callback through the generic inbound endpoint: admitted by its key, a
form in, an InboundMessage to the line, an empty 200 back once the reply is queued."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pydantic import SecretStr
from starlette.testclient import TestClient

from service.channels import africastalking_sms
from service.channels.africastalking import MESSAGE_ID_PREFIX as USSD_PREFIX
from service.channels.africastalking_sms import MESSAGE_ID_PREFIX, message_id
from service.channels.twilio import MESSAGE_SID
from service.core.types import InboundMessage, Intent, Reply
from service.settings import get_settings
from service.web.inbound import InboundEndpoint

KEY = "at-callback-key-0123456789abcdef"
URL = f"/sms/africastalking?key={KEY}"
PHONE = "+254711000123"
SHORT_CODE = "21525"
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}
_ids = itertools.count(1)


def at_form(text: str = "HER2", **fields: str) -> dict[str, str]:
    """The fields Africa's Talking posts for one incoming message."""
    form = {
        "from": PHONE,
        "to": SHORT_CODE,
        "text": text,
        "date": "2026-11-30 09:41:00",
        "id": f"{next(_ids):08x}-55f5-4dbe-bc02-0ed1b1f4bf65",
        "linkId": "SampleLinkId123",
        "networkCode": "63902",
    }
    return form | fields


class Line:
    """The line's side of the seam, recording what it was handed and answering with a set reply."""

    def __init__(self, reply: Reply) -> None:
        self.reply, self.messages = reply, []

    async def answer(self, message: InboundMessage) -> Reply:
        self.messages.append(message)
        return self.reply


QUEUED = Reply(body="HER2: ...", intent=Intent.TOPIC, locale="en", queued=True)


def client_for(line: Line, *, key: str | None = KEY) -> TestClient:
    settings = get_settings(africastalking_callback_key=SecretStr(key) if key else None)
    endpoint = InboundEndpoint(
        channel=africastalking_sms.sms(settings), answer=line.answer, max_body=64 * 1024, public_base_url=None
    )
    return TestClient(endpoint, base_url="https://line.test")


def raw(client: TestClient, body: str | bytes, url: str = URL):
    return client.post(url, content=body if isinstance(body, bytes) else body.encode(), headers=FORM_TYPE)


def without(form: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in form.items() if key != name}


@pytest.mark.parametrize(
    ("case", "make", "status"),
    [
        ("valid", lambda c, f: c.post(URL, data=f), 200),
        ("an empty text", lambda c, f: c.post(URL, data={**f, "text": ""}), 200),
        ("no linkId (not an on-demand code)", lambda c, f: c.post(URL, data=without(f, "linkId")), 200),
        ("to an E.164 number", lambda c, f: c.post(URL, data={**f, "to": "+254700111222"}), 200),
        ("to a sender id", lambda c, f: c.post(URL, data={**f, "to": "Infoline"}), 200),
        ("an ISO date", lambda c, f: c.post(URL, data={**f, "date": "2026-11-30T09:41:00.000Z"}), 200),
        ("wrong key", lambda c, f: c.post(URL.replace(KEY, KEY[:-1] + "x"), data=f), 403),
        ("missing key", lambda c, f: c.post("/sms/africastalking", data=f), 403),
        ("empty key", lambda c, f: c.post("/sms/africastalking?key=", data=f), 403),
        ("the key twice", lambda c, f: c.post(f"{URL}&key={KEY}", data=f), 403),
        ("a key that is no ASCII", lambda c, f: c.post("/sms/africastalking?key=%C3%A9", data=f), 403),
        ("key in the form instead", lambda c, f: c.post("/sms/africastalking", data={**f, "key": KEY}), 403),
        ("text sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("text", "STOP")])), 400),
        ("from sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("from", "+254700000999")])), 400),
        ("id sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("id", "other-id")])), 400),
        ("to sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("to", "12345")])), 400),
        ("linkId sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("linkId", "x")])), 400),
        ("no id", lambda c, f: c.post(URL, data=without(f, "id")), 400),
        ("no from", lambda c, f: c.post(URL, data=without(f, "from")), 400),
        ("no to", lambda c, f: c.post(URL, data=without(f, "to")), 400),
        ("no text", lambda c, f: c.post(URL, data=without(f, "text")), 400),
        ("an id with a space", lambda c, f: c.post(URL, data={**f, "id": "a b"}), 400),
        ("an id with markup", lambda c, f: c.post(URL, data={**f, "id": "<id>"}), 400),
        ("an id longer than Africa's Talking's", lambda c, f: c.post(URL, data={**f, "id": "a" * 65}), 400),
        ("a from without its +", lambda c, f: c.post(URL, data={**f, "from": PHONE[1:]}), 400),
        ("a from in local form", lambda c, f: c.post(URL, data={**f, "from": "0711000123"}), 400),
        ("a from with a channel", lambda c, f: c.post(URL, data={**f, "from": "tel:" + PHONE}), 400),
        ("a from too long", lambda c, f: c.post(URL, data={**f, "from": "+2547110001234567"}), 400),
        ("a to too short for a short code", lambda c, f: c.post(URL, data={**f, "to": "12"}), 400),
        ("a to too long for a short code", lambda c, f: c.post(URL, data={**f, "to": "123456789"}), 400),
        ("a sender id too long", lambda c, f: c.post(URL, data={**f, "to": "InfolineKenya"}), 400),
        ("a sender id with a space", lambda c, f: c.post(URL, data={**f, "to": "Info line"}), 400),
        ("a linkId with a space", lambda c, f: c.post(URL, data={**f, "linkId": "a b"}), 400),
        ("a linkId too long", lambda c, f: c.post(URL, data={**f, "linkId": "a" * 65}), 400),
        ("not UTF-8", lambda c, f: raw(c, b"text=%FF&id=a"), 400),
        ("a form of 9,500 fields", lambda c, f: raw(c, b"&".join(b"k%d=" % n for n in range(9_500))), 400),
        ("a URL of 10,000 parameters", lambda c, f: c.post(f"{URL}&" + "a=%41&" * 10_000, data=f), 400),
        ("GET", lambda c, f: c.get(URL), 405),
        ("wrong content type", lambda c, f: c.post(URL, json=f), 415),
        ("a megabyte", lambda c, f: c.post(URL, data={**f, "text": "x" * 1_000_000}), 413),
    ],
)
def test_webhook_cases(case, make, status):
    line = Line(QUEUED)
    response = make(client_for(line), at_form())
    assert response.status_code == status, (case, response.text)
    assert len(line.messages) == (1 if status == 200 else 0), case
    # A refusal names the problem, never the number (a forged or invalid one included) or the key.
    assert PHONE[1:] not in response.text and "0711000123" not in response.text and KEY not in response.text
    if status == 200:
        assert (response.headers["content-type"], response.content) == ("text/plain; charset=utf-8", b"")


def test_a_genuine_message_reaches_the_line_as_an_sms_its_reply_sent_through_africas_talking():
    line, form = Line(QUEUED), at_form("Surgery please")
    assert client_for(line).post(URL, data=form).status_code == 200
    assert line.messages == [
        InboundMessage(
            message_id=message_id(form["id"]),
            sender=PHONE,
            recipient=SHORT_CODE,
            body="Surgery please",
            channel="sms",
            gateway="africastalking",
            send_via="africastalking",
            link_id="SampleLinkId123",
        )
    ]


def test_without_a_key_configured_every_call_is_refused():
    line = Line(QUEUED)
    client = client_for(line, key=None)
    for url in (URL, "/sms/africastalking", "/sms/africastalking?key=", "/sms/africastalking?key=None"):
        assert client.post(url, data=at_form()).status_code == 403
    assert line.messages == []


@pytest.mark.parametrize("field", ["from", "to"])
def test_a_plus_sent_unencoded_still_reads_as_the_number(field):
    line = Line(QUEUED)
    form = at_form(**{field: "+254700111222"})
    assert raw(client_for(line), urlencode(form).replace("%2B", "+")).status_code == 200
    assert getattr(line.messages[0], "sender" if field == "from" else "recipient") == "+254700111222"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (QUEUED, 200),
        (Reply(body=None, intent=Intent.STOP, locale="en"), 200),  # nothing to send: nothing to queue
        (Reply(body="HER2: ...", intent=Intent.TOPIC, locale="en", queued=False), 503),  # the database was away
    ],
)
def test_the_response_says_whether_the_reply_is_queued(reply, status):
    response = client_for(Line(reply)).post(URL, data=at_form())
    assert response.status_code == status
    assert response.text == ("" if status == 200 else "The reply could not be queued just now; try again.\n")


@pytest.mark.parametrize(
    "at_id",
    [
        "SM" + "0123456789abcdef" * 2,  # a Twilio MessageSid's shape
        "CA" + "0" * 32 + "-1",  # a call's step
        "USSD-" + "a" * 48,  # after the prefix, USSD's
        "a" * 64,  # the longest taken
        "254712345678",  # an id that is her number: kept only hashed
    ],
)
def test_an_id_is_kept_apart_from_every_other_gateways_ids(at_id):
    line = Line(QUEUED)
    assert client_for(line).post(URL, data=at_form(id=at_id)).status_code == 200
    kept = line.messages[0].message_id
    assert kept == message_id(at_id) and kept.startswith(MESSAGE_ID_PREFIX) and len(kept) <= 64
    assert at_id not in kept and "712345678" not in kept  # neither the id nor a number in it is stored
    assert not MESSAGE_SID.fullmatch(kept) and not kept.startswith(USSD_PREFIX) and not kept.startswith("CA")


@examples(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["from", "to", "text", "id", "linkId", "date", "key", "x"]),
            st.one_of(st.text(max_size=30), st.sampled_from(["", PHONE, SHORT_CODE, "Infoline", "ATXid_1"])),
        ),
        max_size=8,
    )
)
def test_any_form_gets_an_empty_200_or_a_clear_400(items):
    response = raw(client_for(Line(QUEUED)), urlencode(items))
    assert response.status_code in (200, 400), response.text
    assert response.status_code == 400 or response.content == b""
