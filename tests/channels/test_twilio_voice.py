"""POST /voice through the real app: a table of webhook cases (signed, forged, malformed), the TwiML a call
hears, hidden callers, and the recordings Twilio's <Play> fetches."""

import logging
import shutil
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from service.app import create_app
from service.channels.twilio import Form
from service.channels.twilio_voice import HIDDEN_CALLER, TwilioVoice, caller
from service.core import InboundMessage, Subscriber, respond
from service.core.aloud import digit_by_digit
from service.core.referral import referral
from service.core.types import Intent, Reply, Utterance
from service.core.voice import MAX_STEPS
from service.programs import Program
from tests.channels.voice_calls import VOICE_URL, call_form, path_url, post, press, said, twiml
from tests.conftest import BASE_URL, sign
from tests.store_helpers import count_records, load_state
from tests.voice_helpers import voice_catalogs, with_recordings

# The contact read digit by digit, as she would write it down (core/aloud.py).
REFERRAL = "Ask your care team what is right for you: Hope Clinic, 0 8 0 0, 1 2 3, 4 5 6."
LONG_PATH = "*".join(["9"] * (MAX_STEPS + 1))


def without(form: dict, name: str) -> dict:
    return {key: value for key, value in form.items() if key != name}


def repeated(client, form: dict, name: str, *, url: str = "/voice"):
    """A form with one field sent twice, signed as Twilio would sign it."""
    pairs = [*form.items(), (name, form[name])]
    signature = sign(Form(pairs), url=BASE_URL + url)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return client.post(url, content=urlencode(pairs), headers=headers)


# (case, how the request is made from a fresh call's form, status)
CASES = [
    ("signed first call", lambda c, f: post(c, f), 200),
    ("signed gather with Digits", lambda c, f: post(c, {**f, "Digits": "1"}, url=path_url("")), 200),
    ("signed gather deep in a call", lambda c, f: post(c, {**f, "Digits": "0"}, url=path_url("7*2*1")), 200),
    ("a key that is no digit", lambda c, f: post(c, {**f, "Digits": "*"}, url=path_url("3")), 200),
    ("forged signature", lambda c, f: post(c, f, signature="bm90IGEgc2lnbmF0dXJl"), 403),
    ("missing signature", lambda c, f: post(c, f, signature=None), 403),
    ("signed for /sms", lambda c, f: post(c, f, signed_url=BASE_URL + "/sms"), 403),
    (
        "signed for another path",
        lambda c, f: post(c, {**f, "Digits": "1"}, url=path_url("7"), signed_url=BASE_URL + path_url("1")),
        403,
    ),
    (
        "signed without the query",
        lambda c, f: post(c, {**f, "Digits": "1"}, url=path_url("7"), signed_url=BASE_URL + "/voice"),
        403,
    ),
    (
        "signed with another Digits",
        lambda c, f: post(
            c, {**f, "Digits": "2"}, url=path_url(""), signature=sign({**f, "Digits": "1"}, url=VOICE_URL + "?path=")
        ),
        403,
    ),
    ("Digits sent twice", lambda c, f: repeated(c, {**f, "Digits": "1"}, "Digits", url=path_url("")), 400),
    ("From sent twice", lambda c, f: repeated(c, f, "From"), 400),
    ("CallSid sent twice", lambda c, f: repeated(c, f, "CallSid"), 400),
    ("a short CallSid", lambda c, f: post(c, {**f, "CallSid": "CA123"}), 400),
    ("a message id for a CallSid", lambda c, f: post(c, {**f, "CallSid": "SM" + "a" * 32}), 400),
    ("a CallSid that is no hex", lambda c, f: post(c, {**f, "CallSid": "CA" + "g" * 32}), 400),
    ("no CallSid", lambda c, f: post(c, without(f, "CallSid")), 400),
    ("To no phone number", lambda c, f: post(c, {**f, "To": "sip:line@example.com"}), 400),
    ("two keys for Digits", lambda c, f: post(c, {**f, "Digits": "12"}, url=path_url("")), 400),
    ("a letter for Digits", lambda c, f: post(c, {**f, "Digits": "a"}, url=path_url("")), 400),
    ("an Arabic-Indic digit", lambda c, f: post(c, {**f, "Digits": "١"}, url=path_url("")), 400),
    ("empty Digits", lambda c, f: post(c, {**f, "Digits": ""}, url=path_url("")), 400),
    ("a gather without Digits", lambda c, f: post(c, f, url=path_url("1")), 400),
    ("Digits without a path", lambda c, f: post(c, {**f, "Digits": "1"}), 400),
    ("a path past its bound", lambda c, f: post(c, {**f, "Digits": "1"}, url=path_url(LONG_PATH)), 400),
    ("a path the line never writes", lambda c, f: post(c, {**f, "Digits": "1"}, url=path_url("1**2")), 400),
    ("a path of words", lambda c, f: post(c, {**f, "Digits": "1"}, url="/voice?path=STOP"), 400),
    ("the path twice", lambda c, f: post(c, {**f, "Digits": "1"}, url="/voice?path=1&path=2"), 400),
    ("GET", lambda c, f: c.get("/voice"), 405),
    ("JSON", lambda c, f: c.post("/voice", json=f), 415),
]


@pytest.mark.parametrize(("case", "make", "status"), CASES, ids=[case for case, _, _ in CASES])
def test_webhook_cases(client, app, case, make, status):
    response = make(client, call_form())
    assert response.status_code == status, (case, response.text)
    assert count_records(app.state.line.store) == (1 if status == 200 else 0)
    assert "+1555" not in response.text


def test_a_call_goes_from_the_menu_to_a_topic_and_back(client):
    form = call_form(To="+15005550006")
    menu = post(client, form)
    root = twiml(menu)
    gather = root.find("Gather")
    assert gather.attrib == {
        "input": "dtmf",
        "numDigits": "1",
        "action": "/voice?path=",
        "method": "POST",
        "finishOnKey": "",
    }
    assert [child.tag for child in root] == ["Gather", "Say", "Hangup"]  # no key: the referral once more, goodbye
    assert said(root)[0].text == "Hope Clinic: facts on treatment for breast cancer that has spread."
    topic = press(client, menu, "4", form)
    assert said(twiml(topic))[0].text.startswith("Surgery:")
    assert twiml(topic).find("Gather").get("action") == "/voice?path=4"
    again = press(client, topic, "9", form)
    assert said(twiml(again))[0].text.startswith("Surgery:")
    back = press(client, press(client, again, "0", form), "#", form)
    assert twiml(back).find("Gather").get("action") == "/voice?path=4*9*0*%23"
    for response in (menu, topic, again, back):
        assert [element.text for element in said(twiml(response))][-1] == REFERRAL


def test_a_topic_and_its_referral_are_said_before_any_key_is_taken(client):
    form = call_form(To="+15005550006")
    root = twiml(press(client, post(client, form), "4", form))
    # Twilio's barge-in: a key pressed inside a <Gather> stops what it says. Only the offer is inside.
    assert [child.tag for child in root] == ["Say", "Say", "Gather", "Say", "Hangup"]
    assert root[0].text.startswith("Surgery:") and root[1].text == REFERRAL
    assert [say.text for say in root.find("Gather")] == ["To hear this again, press 9. For the menu, press 0."]
    assert root[3].text == REFERRAL


def test_behind_a_proxy_the_action_is_the_public_url_twilio_signs(settings):
    public = "https://line.example.org/infoline"
    app = create_app(settings.model_copy(update={"public_base_url": public}))
    form = call_form()
    with TestClient(app, base_url=BASE_URL) as client:
        menu = post(client, form, signed_url=public + "/voice")
        action = twiml(menu).find("Gather").get("action")
        assert action == public + "/voice?path="
        step = post(client, {**form, "Digits": "2"}, url="/voice?path=", signed_url=action)
    assert said(twiml(step))[0].text.startswith("Hormone therapy:")


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("+15551230001", "+15551230001"),
        (" +15551230001 ", "+15551230001"),
        ("anonymous", HIDDEN_CALLER),
        ("Anonymous", HIDDEN_CALLER),
        ("Restricted", HIDDEN_CALLER),
        ("", HIDDEN_CALLER),
        ("client:alice", HIDDEN_CALLER),
        ("sip:alice@example.com", HIDDEN_CALLER),
        ("+266696687", HIDDEN_CALLER),  # ANONYMOUS on a keypad
        ("+7378742833", HIDDEN_CALLER),  # RESTRICTED
        ("whatsapp:+15551230001", HIDDEN_CALLER),
    ],
)
def test_who_the_line_answers(sender, expected):
    assert caller(sender) == expected


def test_hidden_callers_hear_the_programs_language_and_share_no_state(client, app):
    line = app.state.line
    for sender in ("anonymous", "client:alice", "+266696687"):
        form = call_form(From=sender)
        menu = post(client, form)
        assert said(twiml(menu))[0].get("language") == "en-US"
        press(client, menu, "7", form)  # one language only: the menu again
    assert count_records(line.store) == 6
    assert load_state(line.store, line.flow.hasher.key(HIDDEN_CALLER)).subscriber == Subscriber()


def test_logs_carry_no_number(client, caplog):
    with caplog.at_level(logging.DEBUG):
        post(client, call_form(From="+15559876543"))
        post(client, call_form(From="+15559876543"), signature="forged")
    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "5559876543" not in logged and "answered" in logged


# --- TwiML for every language ----------------------------------------------------------------------
PROGRAM = Program(
    translations="drafts", id="hope", name="Hope", line_name="Hope Clinic", contact="Hope Clinic, 0800 123 456"
)


@pytest.fixture(scope="module")
def spoken_catalogs(catalogs):
    return voice_catalogs(catalogs, ["es", "fr", "vi", "sw"])


@settings(max_examples=300, deadline=None)
@given(
    locale=st.sampled_from([None, "en", "es", "fr", "vi", "sw", "zh"]),
    path=st.lists(st.sampled_from("0123456789#"), max_size=MAX_STEPS + 2).map("*".join),
)
def test_every_twiml_ends_with_the_referral_each_said_in_its_locales_voice(spoken_catalogs, content, locale, path):
    channel = TwilioVoice(token=None, content=content)
    message = InboundMessage("CA1-1", "+15551230001", "+15005550006", path, "voice")
    reply = respond(message, Subscriber(locale=locale), PROGRAM, spoken_catalogs)
    root = twiml_of(channel, reply, message)
    elements = said(root)
    assert [child.tag for child in root][-2:] == ["Say", "Hangup"]
    assert elements[-1].text == digit_by_digit(referral(spoken_catalogs, reply.locale, PROGRAM))
    for element, utterance in zip(elements, reply.spoken, strict=True):
        voice = content.voices[utterance.locale]
        assert (element.text, element.get("language"), element.get("voice")) == (
            utterance.text,
            voice.language,
            voice.voice,
        )
    assert (root.find("Gather") is not None) is reply.goes_on


def twiml_of(channel, reply, message):
    encoded = channel.encode(reply, message)
    assert encoded.content_type == b"application/xml"
    return ElementTree.fromstring(encoded.body)


def test_a_language_without_a_voice_plays_its_recordings(content):
    recorded = with_recordings(content, "sw", ["her2.spoken", "referral_contact.hope"])
    channel = TwilioVoice(token=None, content=recorded, public_base_url="https://line.example.org/")
    spoken = (
        Utterance("Habari", "sw", "her2.spoken"),
        Utterance("Xin chào", "vi", "her2.spoken"),  # a language with a voice says it, recordings or not
        Utterance("Asante", "sw", "referral_contact.hope"),
    )
    reply = Reply(body="x", intent=Intent.TOPIC, locale="sw", goes_on=True, spoken=spoken)
    root = twiml_of(channel, reply, InboundMessage("CA1-1", "+1", "+1", "1", "voice"))
    assert [(e.tag, e.text, e.get("voice")) for e in said(root)] == [
        ("Play", "https://line.example.org/voice/audio/sw/her2.spoken.mp3", None),
        ("Say", "Xin chào", "Google.vi-VN-Standard-A"),
        ("Play", "https://line.example.org/voice/audio/sw/referral_contact.hope.mp3", None),
    ]
    assert root.find("Gather").get("action") == "https://line.example.org/voice?path=1"


def test_recordings_are_served_by_their_listed_names_only(settings, tmp_path):
    content_dir = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parents[2] / "content", content_dir)
    (content_dir / "audio" / "sw").mkdir()
    (content_dir / "audio" / "sw" / "voice_after_topic.mp3").write_bytes(b"ID3 recording")
    (content_dir / "audio" / "sw" / "secret.txt").write_bytes(b"not audio")
    app = create_app(settings.model_copy(update={"content_dir": content_dir}))
    with TestClient(app, base_url=BASE_URL) as client:
        found = client.get("/voice/audio/sw/voice_after_topic.mp3")
        assert (found.status_code, found.content, found.headers["content-type"]) == (
            200,
            b"ID3 recording",
            "audio/mpeg",
        )
        for path in [
            "/voice/audio/sw/secret.txt",
            "/voice/audio/sw/missing.mp3",
            "/voice/audio/sw/..%2F..%2Fprograms.toml",
            "/voice/audio/../programs.toml",
            "/voice/audio/en/voice_after_topic.mp3",
            "/voice/audio/sw%2F..%2Fsw/voice_after_topic.mp3",
        ]:
            assert client.get(path).status_code == 404, path
        assert client.post("/voice/audio/sw/voice_after_topic.mp3").status_code == 405


FIELDS = ["CallSid", "From", "To", "Digits", "AccountSid", "CallStatus", ""]
VALUES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.sampled_from(["", "1", "#", "*", "12", "+15551230001", "anonymous", "CA" + "a" * 32]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=8),
    query=st.one_of(st.none(), st.text(st.sampled_from("0123456789*#&=path%x"), max_size=12).map(quote)),
)
def test_arbitrary_signed_calls_never_get_a_5xx(client, pairs, query):
    form = [("CallSid", "CA" + "b" * 32), ("To", "+15005550006"), *pairs]
    url = "/voice" if query is None else "/voice?path=" + query
    response = client.post(
        url,
        content=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(Form(form), url=BASE_URL + url),
        },
    )
    assert response.status_code in (200, 400), response.text
