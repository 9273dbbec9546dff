"""POST /sms through the real app with requests signed by twilio's RequestValidator."""

import logging
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.channels.twilio import Form
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import count_records

REFERRAL = "Ask your care team what is right for you."


def reply_text(response) -> str | None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    message = ElementTree.fromstring(response.text).find("Message")
    return None if message is None else message.text


@pytest.mark.parametrize(
    ("body", "starts"),
    [
        ("HER2", "HER2:"),
        ("her-2?", "HER2:"),
        ("HORMONE", "Hormone"),
        ("chemo", "Chemo:"),
        ("Surgery please", "Surgery:"),
        ("radiaton", "Radiation:"),
        ("goal", "Goals:"),
        ("4", "Surgery:"),
        ("hi", "Infoline:"),
        ("HELP", "Infoline"),
    ],
)
def test_signed_texts_get_the_summary_and_the_referral(text, body, starts):
    reply = reply_text(text(body))
    assert reply.startswith(starts) and reply.endswith(REFERRAL)


@pytest.mark.parametrize(
    ("case", "body", "expected_start"),
    [
        ("empty body", "", "Infoline:"),
        ("20,000 characters", "x" * 20_000, "Infoline:"),
        ("emoji only", "😀🎉👩‍👩‍👧", "Infoline:"),
        ("right-to-left text", "ما هو العلاج؟", "Infoline:"),
        ("control characters", "\x00\x01\x1b[31m\x7f", "Infoline:"),
        ("a keyword among control characters", "\x07SURGERY\x00", "Surgery:"),
        ("lone surrogate escape text", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "Infoline:"),
    ],
)
def test_bad_input_gets_a_helpful_reply(text, case, body, expected_start):
    reply = reply_text(text(body))
    assert reply.startswith(expected_start) and reply.endswith(REFERRAL), case


def test_whatsapp_senders_are_answered_the_same_way(text):
    assert reply_text(text("HER2", From="whatsapp:+15551230001")).startswith("HER2:")
    assert text("HER2", From="whatsapp:not-a-phone-number").status_code == 400


def test_unknown_form_fields_are_signed_and_ignored(text):
    assert reply_text(text("GOALS", ApiVersion="2010-04-01", SomeNewField="x", ToCountry="US")).startswith("Goals:")


def test_missing_body_field_gets_the_menu(client):
    form = twilio_form()
    del form["Body"]
    response = client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})
    assert reply_text(response).startswith("Infoline:")


def post(client, form, signature=None, **kwargs):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return client.post("/sms", data=form, headers=headers, **kwargs)


@pytest.mark.parametrize(
    ("case", "make", "status"),
    [
        ("missing signature", lambda c, f: post(c, f), 403),
        ("forged signature", lambda c, f: post(c, f, "bm90IGEgc2lnbmF0dXJl"), 403),
        ("tampered body", lambda c, f: post(c, {**f, "Body": "STOP"}, sign(f)), 403),
        ("signed for another URL", lambda c, f: post(c, f, sign(f, url="https://other.test/sms")), 403),
        ("signed with another token", lambda c, f: post(c, f, sign(f, token="wrong")), 403),
        (
            "signed without From",
            lambda c, f: post(
                c, {k: v for k, v in f.items() if k != "From"}, sign({k: v for k, v in f.items() if k != "From"})
            ),
            400,
        ),
        (
            "signed without MessageSid",
            lambda c, f: post(
                c,
                {k: v for k, v in f.items() if k != "MessageSid"},
                sign({k: v for k, v in f.items() if k != "MessageSid"}),
            ),
            400,
        ),
        ("GET", lambda c, f: c.get("/sms"), 405),
        ("JSON body", lambda c, f: c.post("/sms", json=f, headers={"X-Twilio-Signature": sign(f)}), 415),
        (
            "undecodable percent-escapes",
            lambda c, f: c.post(
                "/sms", content=b"Body=%FF%FE&From=%2B1", headers={"Content-Type": "application/x-www-form-urlencoded"}
            ),
            400,
        ),
        ("a megabyte", lambda c, f: post(c, {**f, "Body": "x" * 1_000_000}, sign({**f, "Body": "x" * 1_000_000})), 413),
        (
            "a length that is no number",
            lambda c, f: c.post(
                "/sms",
                content=b"Body=HER2",
                headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "nine"},
            ),
            413,
        ),
        (
            "a Host that is no host",
            lambda c, f: c.post(
                "/sms", data=f, headers={"Host": "h:abc", "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
            ),
            400,
        ),
        # Signed for https://other.example/hooks/sms: without PUBLIC_BASE_URL that Host would rebuild that URL.
        (
            "a Host with a path, signed for its URL",
            lambda c, f: c.post(
                "/sms",
                data=f,
                headers={
                    "Host": "other.example/hooks",
                    "X-Twilio-Signature": sign(f, url="https://other.example/hooks/sms"),
                },
            ),
            400,
        ),
        (
            "a Host not allowed, signed for its URL",
            lambda c, f: c.post(
                "/sms",
                data=f,
                headers={"Host": "other.example", "X-Twilio-Signature": sign(f, url="https://other.example/sms")},
            ),
            400,
        ),
        (
            "an allowed Host, then another signed for",
            lambda c, f: c.post(
                "/sms",
                content=urlencode(f),
                headers=[
                    ("Host", "line.test"),
                    ("Host", "other.example"),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("X-Twilio-Signature", sign(f, url="https://other.example/sms")),
                ],
            ),
            400,
        ),
        (
            "a Host with a port out of range",
            lambda c, f: c.post("/sms", data=f, headers={"Host": "line.test:99999"}),
            400,
        ),
        (
            "a signed From naming a number as its channel",
            lambda c, f: post(c, {**f, "From": "+15557654321:x"}, sign({**f, "From": "+15557654321:x"})),
            400,
        ),
        (
            "a signed From with an unknown channel",
            lambda c, f: post(c, {**f, "From": "fax:+15557654321"}, sign({**f, "From": "fax:+15557654321"})),
            400,
        ),
        (
            "a forged form of 9,500 empty fields",
            lambda c, f: c.post(
                "/sms",
                content=b"&".join(b"k%d=" % n for n in range(9_500)),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl",
                },
            ),
            400,
        ),
    ],
)
def test_refusals_are_clear_4xx(client, case, make, status):
    response = make(client, twilio_form("HER2"))
    assert response.status_code == status, case
    assert "HER2" not in response.text and "+1555" not in response.text
    if status == 405:
        assert response.headers["allow"] == "POST"


def test_without_a_token_every_call_is_refused_and_start_says_so(caplog, settings):
    with caplog.at_level(logging.WARNING):
        app = create_app(settings.model_copy(update={"twilio_auth_token": None}))
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text
    form = twilio_form()
    with TestClient(app, base_url=BASE_URL) as client:
        assert post(client, form, sign(form)).status_code == 403


@pytest.mark.parametrize(
    ("public_base_url", "signed_url", "status"),
    [
        ("https://line.example.org", "https://line.example.org/sms?program=a", 200),
        ("https://line.example.org/", "https://line.example.org/sms?program=a", 200),
        ("https://line.example.org", BASE_URL + "/sms?program=a", 403),
        (None, BASE_URL + "/sms?program=a", 200),
    ],
)
def test_behind_a_proxy_the_public_url_is_what_twilio_signed(settings, public_base_url, signed_url, status):
    app = create_app(settings.model_copy(update={"public_base_url": public_base_url}))
    form = twilio_form()
    with TestClient(app, base_url=BASE_URL) as client:
        response = client.post("/sms?program=a", data=form, headers={"X-Twilio-Signature": sign(form, url=signed_url)})
    assert response.status_code == status


def test_logs_carry_no_phone_number_or_body(text, caplog):
    with caplog.at_level(logging.DEBUG):
        text("my secret words surgery", From="+15559876543")
        text("forged", From="+15559876543")
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("service.web")] == ["answered", "answered"]
    assert "5559876543" not in logged and "secret words" not in logged


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(client):
    def chunks():
        for _ in range(200):
            yield b"Body=" + b"x" * 10_000

    response = client.post("/sms", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "fields",
    [{"MessageSid": "SM" + "1" * 80}, {"From": "averyveryverylongchannel:+1555"}, {"MessageSid": "SM+15557654321"}],
)
def test_ids_longer_than_twilio_sends_are_refused_before_anything_is_kept(text, fields):
    assert text("HER2", **fields).status_code == 400


def re_split(form: dict, field: str, extra: str) -> bytes:
    from urllib.parse import urlencode

    return urlencode([*form.items(), (field, extra)]).encode()


@pytest.mark.parametrize("field", ["From", "To", "Body", "MessageSid", "AccountSid"])
def test_a_read_field_sent_twice_is_refused_and_nothing_is_recorded(client, app, field):
    """Body=STOPFrom+1555…2 signs as Body=STOP&From=+1555…2: a captured form re-split so that From repeats
    still verifies, and the last From (the victim) would have been opted out."""
    victim, attacker = "+15550001111", "+15552223333"
    captured = twilio_form("STOP" + "From" + victim, From=attacker)
    signature = sign(captured)
    form = {**captured, "Body": "STOP"} if field == "From" else captured
    body = re_split(form, field, victim if field == "From" else "x")
    if field == "From":  # the same signature: the join of names and values is unchanged
        assert sign(Form([*form.items(), ("From", victim)])) == signature
    response = client.post(
        "/sms",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    assert response.status_code == 400 and field in response.text
    assert count_records(app.state.line.store) == 0


def test_the_host_policy_follows_allowed_hosts_and_public_base_url(settings):
    form = twilio_form()
    cases = [
        ({"allowed_hosts": ("line.test",)}, "line.test", 200),
        ({"allowed_hosts": ("line.test",)}, "evil.test", 400),
        ({"allowed_hosts": ("*",)}, "evil.test", 403),  # answered, but signed for line.test
        ({"public_base_url": BASE_URL, "allowed_hosts": ()}, "internal:8080", 200),
    ]
    for update, host, status in cases:
        with TestClient(create_app(settings.model_copy(update=update)), base_url=BASE_URL) as client:
            response = client.post("/sms", data=form, headers={"Host": host, "X-Twilio-Signature": sign(form)})
            admin = client.get("/admin", headers={"Host": host})  # the admin is off here: 404 when answered
            probe = client.get("/healthz", headers={"Host": host})
        assert response.status_code == status, (update, host)
        assert admin.status_code == (400 if status == 400 else 404), (update, host)
        assert probe.status_code == 200  # probes call by address
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        assert client.get("/healthz", headers={"Host": "h:abc"}).status_code == 400  # but never by a non-host


def test_a_capture_re_split_into_a_field_named_after_the_sender_is_refused(client, app):
    victim, attacker = "+15550001111", "+15552223333"
    captured = twilio_form("STOP" + "From" + victim, From=attacker)
    pairs = [*{**captured, "Body": "STOP", "From": victim}.items(), ("From" + attacker, "")]
    assert sign(Form(pairs)) == sign(captured)  # the same signed string
    response = client.post(
        "/sms",
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sign(captured)},
    )
    assert response.status_code == 400 and count_records(app.state.line.store) == 0
