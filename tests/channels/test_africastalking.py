"""POST /ussd/africastalking through the real app: admitted by its key, a form in, CON/END screens out."""

import datetime
import itertools
import logging
import shutil
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pydantic import SecretStr
from starlette.testclient import TestClient

from service.app import create_app
from service.catalogs import DEFAULT_LOCALES_DIR, po_bytes, read_catalog
from service.channels.africastalking import step_id
from service.content import load_content
from service.core.render import offered_locales
from service.core.ussd import ussd_screens
from service.core.ussd_path import MAX_INPUTS, MAX_PATH_CHARS
from service.store.usage import usage
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import count_records, find_record

KEY = "at-callback-key-0123456789abcdef"
URL = f"/ussd/africastalking?key={KEY}"
# Nigeria's language is English: what the English screens say holds whatever is translated.
PHONE = "+2348031234567"
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}
HOPE_CONTACT = "Hope Clinic, 0800 123 456"
_sessions = itertools.count(1)


def at_form(text: str = "", **fields) -> dict:
    """The fields Africa's Talking posts for one step of a session."""
    form = {
        "sessionId": f"ATUid_{next(_sessions):032x}",
        "serviceCode": "*384*1234#",
        "phoneNumber": PHONE,
        "networkCode": "63902",
        "text": text,
    }
    return form | fields


@pytest.fixture
def settings(settings):
    """conftest's settings with a callback key: its app and client answer USSD here."""
    return settings.model_copy(update={"africastalking_callback_key": SecretStr(KEY)})


def screen(response) -> tuple[str, str]:
    """(CON or END, the screen)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    return response.text[:3], response.text[4:]


def test_a_session_walks_from_the_menu_through_a_topic_to_its_end(client):
    session = at_form()["sessionId"]
    head, menu = screen(client.post(URL, data=at_form("", sessionId=session)))
    assert head == "CON" and menu.startswith("Hope Clinic: ") and menu.endswith("\n7 Language")
    head, page = screen(client.post(URL, data=at_form("3", sessionId=session)))
    assert (head, page.startswith("Chemo: "), page.endswith("\n1 More\n0 Menu")) == ("CON", True, True)
    head, last = screen(client.post(URL, data=at_form("3*1", sessionId=session)))
    assert head == "END" and last.endswith(f"Ask your care team what is right for you: {HOPE_CONTACT}.")
    assert screen(client.post(URL, data=at_form("3*0", sessionId=session))) == ("CON", menu)


def raw(client, body: bytes | str, url: str = URL, headers=FORM_TYPE):
    return client.post(url, content=body if isinstance(body, bytes) else body.encode(), headers=headers)


@pytest.mark.parametrize(
    ("case", "make", "status"),
    [
        ("valid", lambda c, f: c.post(URL, data=f), 200),
        ("wrong key", lambda c, f: c.post(URL.replace(KEY, KEY[:-1] + "x"), data=f), 403),
        ("missing key", lambda c, f: c.post("/ussd/africastalking", data=f), 403),
        ("empty key", lambda c, f: c.post("/ussd/africastalking?key=", data=f), 403),
        ("the key twice", lambda c, f: c.post(f"{URL}&key={KEY}", data=f), 403),
        ("a key that is no ASCII", lambda c, f: c.post("/ussd/africastalking?key=%C3%A9", data=f), 403),
        ("key in a header instead", lambda c, f: c.post("/ussd/africastalking", data=f, headers={"key": KEY}), 403),
        ("key in the form instead", lambda c, f: c.post("/ussd/africastalking", data={**f, "key": KEY}), 403),
        ("text sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("text", "1")])), 400),
        ("phoneNumber sent twice", lambda c, f: raw(c, urlencode([*f.items(), ("phoneNumber", "+254700")])), 400),
        ("no phoneNumber", lambda c, f: c.post(URL, data={k: v for k, v in f.items() if k != "phoneNumber"}), 400),
        ("a phoneNumber that is no number", lambda c, f: c.post(URL, data={**f, "phoneNumber": "0711000123"}), 400),
        ("a phoneNumber with a channel", lambda c, f: c.post(URL, data={**f, "phoneNumber": "tel:+254711"}), 400),
        ("text with letters", lambda c, f: c.post(URL, data={**f, "text": "1*HER2"}), 400),
        ("text with a #", lambda c, f: c.post(URL, data={**f, "text": "1#"}), 400),
        ("text past its inputs", lambda c, f: c.post(URL, data={**f, "text": "*".join(["1"] * (MAX_INPUTS + 1))}), 400),
        ("text past its length", lambda c, f: c.post(URL, data={**f, "text": "1" * (MAX_PATH_CHARS + 1)}), 400),
        ("a serviceCode that is no code", lambda c, f: c.post(URL, data={**f, "serviceCode": "384*1234"}), 400),
        ("a serviceCode far too long", lambda c, f: c.post(URL, data={**f, "serviceCode": "*1" * 40 + "#"}), 400),
        ("no sessionId", lambda c, f: c.post(URL, data={k: v for k, v in f.items() if k != "sessionId"}), 400),
        ("a sessionId with spaces", lambda c, f: c.post(URL, data={**f, "sessionId": "a b"}), 400),
        ("a networkCode with letters", lambda c, f: c.post(URL, data={**f, "networkCode": "MTN"}), 400),
        ("not UTF-8", lambda c, f: raw(c, b"text=%FF&sessionId=a"), 400),
        ("a form of 9,500 fields", lambda c, f: raw(c, b"&".join(b"k%d=" % n for n in range(9_500))), 400),
        # Counted before anything is parsed: the key is looked for in at most 8 parameters.
        ("a URL of 10,000 parameters", lambda c, f: c.post(f"{URL}&" + "a=%41&" * 10_000, data=f), 400),
        ("a URL of 8 parameters", lambda c, f: c.post(f"{URL}&" + "&".join(f"a{n}=" for n in range(7)), data=f), 200),
        ("GET", lambda c, f: c.get(URL), 405),
        ("wrong content type", lambda c, f: c.post(URL, json=f), 415),
        ("a megabyte", lambda c, f: c.post(URL, data={**f, "text": "1" * 1_000_000}), 413),
    ],
)
def test_webhook_cases(client, app, case, make, status):
    response = make(client, at_form("1"))
    assert response.status_code == status, (case, response.text)
    assert PHONE not in response.text and KEY not in response.text
    assert count_records(app.state.line.store) == (1 if status == 200 else 0), case
    if status == 405:
        assert response.headers["allow"] == "POST"


def test_without_a_key_configured_every_call_is_refused(settings):
    app = create_app(settings.model_copy(update={"africastalking_callback_key": None}))
    with TestClient(app, base_url=BASE_URL) as client:
        for url in (URL, "/ussd/africastalking", "/ussd/africastalking?key=", "/ussd/africastalking?key=None"):
            assert client.post(url, data=at_form()).status_code == 403
    assert count_records(app.state.line.store) == 0


def test_a_plus_sent_unencoded_still_reads_as_the_number(client, app):
    form = urlencode(at_form("2")).replace("%2B", "+")
    assert screen(raw(client, form))[0] == "CON"
    assert count_records(app.state.line.store) == 1


def test_a_code_no_program_lists_is_the_default_programs(client):
    _, menu = screen(client.post(URL, data=at_form("", serviceCode="*384*99#")))
    assert menu.startswith("Infoline: ")


def test_logs_carry_no_number_path_or_key(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(URL, data=at_form("4*1"))
        client.post(URL.replace(KEY, "wrong-key-wrong-key"), data=at_form("4*1"))
    ours = [record for record in caplog.records if record.name.startswith("service")]  # not the test client's
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in ours)
    assert [r.getMessage() for r in ours if r.name.startswith("service.web")] == ["answered", "refused"]
    assert PHONE[1:] not in logged and KEY not in logged and "4*1" not in logged


@examples(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["sessionId", "serviceCode", "phoneNumber", "networkCode", "text", "key", "x"]),
            st.one_of(st.text(max_size=30), st.sampled_from(["", PHONE, "*384*1234#", "1*1", "ATUid_1"])),
        ),
        max_size=8,
    )
)
def test_any_form_gets_a_screen_or_a_clear_4xx(client, items):
    response = raw(client, urlencode(items))
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert response.text[:4] in ("CON ", "END ")


# --- the store: both backends ---------------------------------------------------------------


@pytest.fixture
def db_app(settings, database_url):
    return create_app(settings.model_copy(update={"database_url": database_url}))


def test_a_step_delivered_twice_is_one_record_and_the_same_screen(db_app):
    form, store = at_form("3"), db_app.state.line.store
    with TestClient(db_app, base_url=BASE_URL) as client:
        first, again = client.post(URL, data=form), client.post(URL, data=form)
        assert screen(first) == screen(again) and screen(first)[0] == "CON"
        assert count_records(store) == 1
        client.post(URL, data={**form, "text": "3*1"})  # the session's next step is a record of its own
    assert count_records(store) == 2


def test_records_say_ussd_and_hold_no_number_or_path_and_usage_counts_them(db_app):
    form = at_form("5*1")
    with TestClient(db_app, base_url=BASE_URL) as client:
        assert screen(client.post(URL, data=form))[0] == "END"
    store = db_app.state.line.store
    record = find_record(store, step_id(form["sessionId"], form["text"]))
    assert record is not None and (record.channel, record.intent, record.topic) == ("ussd", "topic", "radiation")
    assert (record.program, record.segments, record.replied) == ("hope-clinic", 0, True)
    kept = repr(record)
    assert PHONE[1:] not in kept and "5*1" not in kept and form["sessionId"] not in kept
    assert len(record.message_sid) <= 64
    rows = usage(store.engine, since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1))
    assert [(row.channel, row.messages, row.segments) for row in rows] == [("ussd", 1, 0)]


# --- one language across channels: both backends ---------------------------------------------

SPANISH_USSD = {
    "ussd_menu": "%(program)s: datos sobre el tratamiento del cáncer de mama que se ha extendido. Elija un número:",
    "ussd_languages": "Idioma",
    "ussd_language_list": "Elija un idioma:",
    "ussd_more": "Más",
    "ussd_back": "Menú",
}


@pytest.fixture
def shared_app(settings, database_url, tmp_path):
    """The shipped catalogs, with Spanish USSD entries where the translators have not served them yet."""
    locales = tmp_path / "locales"
    shutil.copytree(DEFAULT_LOCALES_DIR, locales)
    po = locales / "es" / "LC_MESSAGES" / "messages.po"
    catalog, messages = read_catalog(po), load_content().messages
    for key, text in SPANISH_USSD.items():
        entry = catalog.get(messages[key], context=key)
        if entry is None or not entry.string or entry.fuzzy:
            catalog.delete(messages[key], context=key)
            catalog.add(messages[key], text, context=key)
    po.write_bytes(po_bytes(catalog))
    return create_app(settings.model_copy(update={"database_url": database_url, "locales_dir": locales}))


def text_from(client, body: str):
    form = twilio_form(body, From=PHONE)
    response = client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})
    assert response.status_code == 200
    return form["MessageSid"]


def test_a_language_chosen_by_sms_holds_on_ussd_and_one_chosen_on_ussd_holds_for_sms(shared_app):
    line = shared_app.state.line
    hope = line.programs.for_number("*384*1234#")
    with TestClient(shared_app, base_url=BASE_URL) as client:
        text_from(client, "ES")
        form = at_form("")
        _, menu = screen(client.post(URL, data=form))
        assert menu == ussd_screens(catalogs=line.catalogs, program=hope, locale="es", topic=None)[0]
        assert find_record(line.store, step_id(form["sessionId"], "")).locale == "es"
        french = str(offered_locales(line.catalogs).index("fr") + 1)
        chose = at_form(f"7*{french}")
        head, _ = screen(client.post(URL, data=chose))
        assert head == "CON" and find_record(line.store, step_id(chose["sessionId"], chose["text"])).intent == (
            "language_set"
        )
        sid = text_from(client, "HER2")
    assert find_record(line.store, sid).locale == "fr"
