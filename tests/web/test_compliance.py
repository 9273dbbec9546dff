"""Carrier compliance and state through the real app, against SQLite and PostgreSQL."""

import concurrent.futures
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import count_records, load_state

STOP_WORDS = [
    "STOP",
    "stopall",
    "Unsubscribe",
    "CANCEL",
    "end",
    "QUIT",
    "revoke",
    "OPTOUT",
    "stop.",
    "  Stop!  ",
    "please stop texting me",
    "Stop please",
    "do not text me again",
    "REMOVE ME",
]
START_WORDS = ["START", "unstop", "Yes"]


def body_of(response) -> str | None:
    assert response.status_code == 200, response.text
    message = ElementTree.fromstring(response.text).find("Message")
    return None if message is None else message.text


@pytest.fixture
def db_settings(settings, database_url):
    return settings.model_copy(update={"database_url": database_url})


@pytest.fixture
def line(db_settings):
    """send(body, sender=…, sid=…) -> reply text or None, through a live app on the test database."""
    with TestClient(create_app(db_settings), base_url=BASE_URL) as client:

        def send(body, sender="+15551230001", to="+15005550000", sid=None):
            form = twilio_form(body, From=sender, To=to, **({"MessageSid": sid} if sid else {}))
            return body_of(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}))

        send.app = client.app
        yield send


@pytest.mark.parametrize("stop_word", STOP_WORDS)
def test_stop_confirms_once_then_silence_until_start(line, stop_word):
    assert line(stop_word).startswith("Infoline: You will get no more messages")
    assert line("HER2") is None
    assert line("MENU") is None
    assert line(stop_word) is None
    assert line("HELP").startswith("Infoline sends short facts")
    assert line("START").startswith("Infoline: You will get messages again")
    assert line("HER2").startswith("HER2:")


@pytest.mark.parametrize("start_word", START_WORDS)
def test_every_opt_in_word_resumes(line, start_word):
    line("STOP")
    assert line(start_word).startswith("Infoline: You will get messages again")
    assert line("GOALS").startswith("Goals:")


def test_stopping_is_per_sender(line):
    line("STOP", sender="+15551230001")
    assert line("HER2", sender="+15551230002").startswith("HER2:")
    assert line("HER2", sender="whatsapp:+15551230001") is None  # the same number on WhatsApp


def test_a_word_stop_in_a_question_is_not_an_opt_out(line):
    assert line("how can radiation stop the pain in my bones?").startswith("Radiation:")


def test_opt_out_and_language_survive_a_restart(db_settings, line):
    line("LANG ES", sender="+15551230007")
    line("STOP", sender="+15551230008")
    with TestClient(create_app(db_settings), base_url=BASE_URL) as client:
        form = twilio_form("HER2", From="+15551230008")
        assert body_of(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})) is None
        state = client.app.state.line
        from service.privacy import sender_key

        loaded = load_state(state.store, sender_key("+15551230007", state.hash_key))
        assert loaded.subscriber.locale == "es"


def test_a_repeated_message_sid_gets_the_same_reply_and_one_record(line):
    first = line("SURGERY", sid="SM" + "7" * 32)
    assert line("SURGERY", sid="SM" + "7" * 32) == first
    assert count_records(line.app.state.line.store) == 1


def test_a_retried_stop_does_not_undo_a_later_start(line):
    stop_sid = "SM" + "5" * 32
    line("STOP", sid=stop_sid)
    line("START")
    assert line("STOP", sid=stop_sid).startswith("Infoline: You will get no more messages")  # replayed
    assert line("HER2").startswith("HER2:")


def test_concurrent_duplicates_get_one_reply_and_one_record(line):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: line("CHEMO", sid="SM" + "9" * 32), range(8)))
    assert len(set(replies)) == 1 and replies[0].startswith("Chemo:")
    assert count_records(line.app.state.line.store) == 1


def test_the_programs_contact_is_in_its_referral(line):
    assert line("HER2", to="+15005550006").endswith("Hope Clinic, 0800 123 456.")
    assert line("HER2", to="+15005559999").endswith("Ask your care team what is right for you.")


def test_twilio_confirms_plain_stop_when_the_program_says_so(db_settings, tmp_path):
    programs = tmp_path / "programs.toml"
    programs.write_text('[[program]]\nid = "default"\nname = "X"\nconfirm_opt_out = "twilio"\n')
    with TestClient(
        create_app(db_settings.model_copy(update={"programs_file": programs})), base_url=BASE_URL
    ) as client:

        def send(body):
            form = twilio_form(body)
            return body_of(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}))

        assert send("STOP") is None
        assert send("HER2") is None
        assert send("START") is None
        assert send("HER2").startswith("HER2:")
        assert send("please stop texting me").startswith("Infoline: You will get no more messages")


def test_past_the_reply_cap_the_line_goes_quiet(line):
    replies = [line("HER2", sender="+15557770000") for _ in range(12)]
    assert all(replies[:10]) and replies[10:] == [None, None]
    assert line("HER2", sender="+15557770001").startswith("HER2:")


def stored_bytes(app, database_url) -> bytes:
    """Everything the database holds: the SQLite files, or every PostgreSQL row as text."""
    line = app.state.line
    if database_url.startswith("sqlite"):
        return b"".join(path.read_bytes() for path in line.settings.data_dir.parent.rglob("*") if path.is_file())
    from sqlalchemy import text

    with line.store.engine.connect() as connection:
        rows = [
            row for table in ("records", "subscribers") for row in connection.execute(text(f"SELECT * FROM {table}"))
        ]
    return repr(rows).encode()


def test_the_database_holds_no_phone_digits_and_no_bodies(line, database_url):
    secret = "my private question about surgery and my kids"
    for body in (secret, "STOP", "START", "LANG FR", "HER2"):
        line(body, sender="+15559876543")
    line("HER2", sender="whatsapp:+447700900123")
    line.app.state.line.store.engine.dispose()  # flush SQLite's WAL into the file, as a restart would
    stored = stored_bytes(line.app, database_url)
    assert count_records(line.app.state.line.store) == 6
    for needle in (b"5559876543", b"7700900123", b"private question", b"LANG FR"):
        assert needle not in stored


def test_a_replayed_message_is_not_sent_to_someone_who_has_opted_out_since(line):
    sid = "SM" + "3" * 32
    assert line("HER2", sid=sid).startswith("HER2:")
    line("STOP")
    assert line("HER2", sid=sid) is None


def test_past_the_cap_stop_start_and_help_are_still_confirmed(line):
    for _ in range(10):
        line("HER2", sender="+15557770003")
    assert line("HER2", sender="+15557770003") is None
    assert line("HELP", sender="+15557770003").startswith("Infoline sends")
    assert line("STOP", sender="+15557770003").startswith("Infoline: You will get no more messages")
    assert line("START", sender="+15557770003").startswith("Infoline: You will get messages again")


@pytest.mark.parametrize(
    ("body", "sender", "confirmed"),
    [
        ("STOP", "+15551230001", False),
        ("stop", "+15551230001", False),
        ("QUIT", "+15551230001", False),
        ("PARAR", "+15551230001", True),
        ("停止", "+15551230001", True),
        ("OPT OUT", "+15551230001", True),
        ("STOP", "whatsapp:+15551230001", True),  # Twilio does not handle opt-outs on WhatsApp
    ],
)
def test_in_twilio_mode_only_twilios_own_sms_words_go_unconfirmed(db_settings, tmp_path, body, sender, confirmed):
    programs = tmp_path / "programs.toml"
    programs.write_text('[[program]]\nid = "default"\nname = "X"\nconfirm_opt_out = "twilio"\n')
    with TestClient(
        create_app(db_settings.model_copy(update={"programs_file": programs})), base_url=BASE_URL
    ) as client:
        form = twilio_form(body, From=sender)
        reply = body_of(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}))
    assert (reply is not None) == confirmed
