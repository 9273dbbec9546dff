"""The admin shows and drives USSD and voice: the matrix's screens and spoken forms, the simulator's sessions."""

import html
import re

import pytest

from service.core.spoken import spoken_reply
from service.core.ussd import ussd_screens
from tests.store_helpers import count_records
from tests.web.admin_helpers import admin_client, log_in, with_tokens

BEARER = {"Authorization": "Bearer alice-token-123"}
SENDER = "+15551230009"


@pytest.fixture
def client(settings):
    with admin_client(with_tokens(settings)) as test_client:
        yield test_client


def test_the_matrix_shows_every_topics_ussd_screens_and_spoken_form_in_every_locale(client):
    page = html.unescape(client.get("/admin", headers=BEARER).text)
    line = client.app.state.line
    catalogs, program = line.catalogs, line.programs.all[0]
    for locale in catalogs.locales:
        for topic in catalogs.content.topics:
            for screen in ussd_screens(catalogs=catalogs, program=program, locale=locale, topic=topic.id):
                assert screen in page, (locale, topic.id)
            for said in spoken_reply(catalogs=catalogs, program=program, locale=locale, topic=topic.id):
                assert f'<p class="said" lang="{said.locale}">{said.text}</p>' in page, (locale, topic.id)
    # Each screen's size against its limit: 80 for a UCS-2 screen (Hindi), 182 for a GSM-7 one.
    assert re.search(r">\d+/80<", page) and re.search(r">\d+/182<", page)


def simulate(client, csrf, **fields):
    data = {"csrf": csrf, "sender": SENDER, "to": "", **fields}
    return html.unescape(client.post("/admin/simulator", data=data).text)


def reply_of(page):
    found = re.search(r'id="reply">(.*?)</(?:pre|ol|div)>', page, re.S)
    assert found, page
    return found.group(1)


def test_the_simulator_walks_a_ussd_session_key_by_key_to_the_referral(client):
    csrf = log_in(client)
    menu = simulate(client, csrf, channel="ussd", body="", press="")
    assert "CON: the session waits" in menu and "1 HER2" in reply_of(menu) and "7 Language" in reply_of(menu)
    size = re.search(r'id="screen-size">(\d+) of the 182 characters', menu)
    assert size and int(size.group(1)) == len(reply_of(menu))  # GSM-7, no extension character
    first = simulate(client, csrf, channel="ussd", body="", press="1")
    assert "\n1 More\n0 Menu" in reply_of(first) and 'value="1"' in first  # the keys so far, kept
    last = simulate(client, csrf, channel="ussd", body="1", press="1")
    assert "END: the session ends" in last and reply_of(last).endswith("Ask your care team what is right for you.")
    assert count_records(client.app.state.line.store) == 3


def test_the_simulator_says_a_calls_menu_and_topic_and_keeps_its_keys(client):
    csrf = log_in(client)
    menu = simulate(client, csrf, channel="voice", body="", press="")
    assert "For chemotherapy, press 3." in reply_of(menu)
    topic = simulate(client, csrf, channel="voice", body="", press="3")
    said = re.findall(r"<li [^>]*><span[^>]*>(\w+):</span> (.*?)</li>", reply_of(topic), re.S)
    assert said[0][0] == "en" and said[0][1].startswith("Chemo:")
    assert said[-1][1] == "Ask your care team what is right for you."
    again = simulate(client, csrf, channel="voice", body="3", press="9")
    assert reply_of(again) == reply_of(topic)


def test_the_simulator_keeps_only_digits_of_a_key_and_refuses_an_unknown_channel(client):
    csrf = log_in(client)
    odd = simulate(client, csrf, channel="ussd", body="", press="<b>1</b>")
    assert "\n1 More\n0 Menu" in reply_of(odd)  # "<b>1</b>" pressed as 1
    over = simulate(client, csrf, channel="ussd", body="1*1" * 40, press="1")  # past any session: from the top
    assert "7 Language" in reply_of(over)
    response = client.post("/admin/simulator", data={"csrf": csrf, "channel": "fax", "body": "1"})
    assert response.status_code == 422


def test_a_program_on_ussd_only_is_offered_by_its_code_and_answers_as_itself(settings, tmp_path):
    programs = tmp_path / "programs.toml"
    programs.write_text(
        '[[program]]\nid = "default"\nname = "Infoline"\n\n'
        '[[program]]\nid = "rift"\nname = "Rift"\nline_name = "Rift Clinic"\nussd_codes = ["*384*77#"]\n',
        "utf-8",
    )
    with admin_client(with_tokens(settings.model_copy(update={"programs_file": programs}))) as client:
        csrf = log_in(client)
        assert 'value="*384*77#"' in client.get("/admin/simulator").text
        menu = simulate(client, csrf, channel="ussd", body="", press="", to="*384*77#")
        assert reply_of(menu).startswith("Rift Clinic: ")
