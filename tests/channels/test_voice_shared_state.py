"""A caller's language is one state across SMS and calls, on the embedded SQLite file and on PostgreSQL; a
call's steps are recorded like messages (channel voice, no number, no body), each once."""

import dataclasses

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.catalogs import load_catalogs
from tests.channels.voice_calls import call_form, post, press, said, twiml
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import count_records, find_record
from tests.voice_helpers import marked, write_voice_locales

NUMBER = "+15551230001"


@pytest.fixture(scope="module")
def voice_locales(tmp_path_factory, catalogs):
    """The shipped PO files with the voice entries of Spanish translated (marked "[es] …")."""
    locales_dir = tmp_path_factory.mktemp("locales")
    write_voice_locales(catalogs, locales_dir, ["es"])
    return locales_dir


@pytest.fixture
def line_client(settings, database_url, voice_locales):
    app = create_app(settings.model_copy(update={"database_url": database_url, "locales_dir": voice_locales}))
    with TestClient(app, base_url=BASE_URL) as client:
        yield client, app.state.line


def text(client, body: str):
    form = twilio_form(body, From=NUMBER)
    return client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})


def test_a_language_chosen_by_sms_is_the_one_a_call_speaks(line_client):
    client, line = line_client
    assert text(client, "ESPAÑOL").status_code == 200
    elements = said(twiml(post(client, call_form(From=NUMBER))))
    assert elements[0].text == marked("es", "Hope Clinic: facts on treatment for breast cancer that has spread.")
    assert {(element.get("language"), element.get("voice")) for element in elements} == {("es-US", "Polly.Lupe")}


def test_a_language_chosen_on_a_call_is_the_one_the_next_sms_is_in(line_client, content):
    client, line = line_client
    form = call_form(From=NUMBER)
    menu = post(client, form)
    assert said(twiml(menu))[0].get("language") == "en-US"
    languages = press(client, menu, "7", form)
    offered = [element.text for element in said(twiml(languages))[:-1]]
    assert offered == ["For English, press 1.", marked("es", "For English, press 2.")]
    chosen = press(client, languages, "2", form)
    assert said(twiml(chosen))[0].get("language") == "es-US"
    spanish = load_catalogs(content=line.catalogs.content, locales_dir=line.settings.locales_dir)
    reply = text(client, "HER2").text
    assert spanish.lookup("es", "her2", content.topic("her2").summary) in reply


def test_a_step_delivered_twice_is_recorded_once_and_answered_the_same(line_client):
    client, line = line_client
    form = call_form(From=NUMBER)
    menu = post(client, form)
    first = press(client, menu, "3", form)
    again = press(client, menu, "3", form)
    assert first.text == again.text and said(twiml(again))[0].text.startswith("Chemo:")
    assert count_records(line.store) == 2


def test_a_calls_records_hold_the_step_and_what_was_chosen_never_the_number(line_client):
    client, line = line_client
    form = call_form(From=NUMBER)
    press(client, post(client, form), "5", form)
    first, second = (find_record(line.store, f"{form['CallSid']}-{step}") for step in (0, 1))
    assert (first.channel, first.intent, first.topic) == ("voice", "menu", None)
    assert (second.channel, second.intent, second.topic, second.locale) == ("voice", "topic", "radiation", "en")
    for record in (first, second):
        values = dataclasses.astuple(record)
        assert not any(NUMBER.lstrip("+") in str(value) for value in values)
        assert record.segments == 0 and record.replied
