"""respond(): every reply in full, and the referral invariant over arbitrary text."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core import InboundMessage, Subscriber, respond
from service.core.referral import referral
from service.core.types import Intent
from service.programs import Program
from service.segments import to_gsm7

CONTACT = "Hope Clinic, 0800 123 456"
PROGRAMS = [
    Program(translations="drafts", id="default", name="Infoline"),
    Program(translations="drafts", id="clinic", name="Clinic", contact=CONTACT),
    Program(translations="drafts", id="cheap", name="Cheap", contact="x" * 40, encoding="gsm7"),
]


def reply_to(body, catalogs, program=PROGRAMS[0], subscriber=Subscriber()):
    message = InboundMessage(message_id="SM1", sender="+15551230001", recipient="+15005550000", body=body)
    return respond(message, subscriber, program, catalogs)


def test_topic_reply_is_the_summary_then_the_referral(catalogs, content):
    reply = reply_to("HER2", catalogs)
    assert reply.intent == Intent.TOPIC and reply.topic == "her2" and reply.locale == "en"
    assert reply.body == content.topic("her2").summary + "\nAsk your care team what is right for you."


def test_program_contact_is_named_in_the_referral(catalogs):
    reply = reply_to("GOALS", catalogs, program=PROGRAMS[1])
    assert reply.body.endswith(f"Ask your care team what is right for you: {CONTACT}.")


def test_menu_numbers_every_topic(catalogs):
    body = reply_to("hello", catalogs).body
    assert "1 HER2, 2 HORMONE, 3 CHEMO, 4 SURGERY, 5 RADIATION, 6 GOALS." in body
    assert "HELP" in body and "STOP" in body


def test_help_names_the_line_and_how_to_stop(catalogs):
    body = reply_to("HELP", catalogs).body
    assert body.startswith("Infoline") and "STOP" in body and "Msg & data rates may apply" in body


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
@pytest.mark.parametrize("body", ["1", "2", "3", "4", "5", "6", "MENU", "HELP", "nonsense"])
def test_every_english_reply_fits_two_gsm7_segments(catalogs, program, body):
    reply = reply_to(body, catalogs, program=program)
    assert (reply.encoding, reply.segments <= 2) == ("GSM-7", True), reply.body


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
@settings(max_examples=300, deadline=None)
@given(body=st.text(max_size=300))
def test_every_reply_ends_with_the_referral(catalogs, program, body):
    reply = reply_to(body, catalogs, program=program)
    expected = referral(catalogs, reply.locale, program)
    transliterated = program.encoding == "gsm7" and reply.encoding == "GSM-7"
    assert reply.body.endswith("\n" + (to_gsm7(expected) if transliterated else expected))


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(["her2", "surgery", "please", "the", "2", "HELP", "x"]), max_size=8))
def test_keyword_sentences_also_end_with_the_referral(catalogs, words):
    reply = reply_to(" ".join(words), catalogs)
    assert reply.body.endswith("Ask your care team what is right for you.")


HOPE = Program(
    translations="drafts",
    id="hope",
    name="Hope Clinic outreach",
    line_name="Hope Clinic",
    contact=CONTACT,
    contacts=(("es", "Clínica Hope, 0800 123 456"),),
    help_contact="Hope Clinic, 0800 123 400",
)


def test_help_names_the_program_texted_its_support_contact_and_when_it_replies(catalogs):
    body = reply_to("HELP", catalogs, program=HOPE).body
    assert body.startswith("Hope Clinic sends") and "Infoline" not in body
    assert "Support: Hope Clinic, 0800 123 400." in body and "only when you text" in body
    assert "Msg & data rates may apply" in body and "STOP" in body


def test_help_without_a_support_contact_names_none(catalogs):
    assert "Support:" not in reply_to("HELP", catalogs).body


def test_the_start_confirmation_gives_rates_and_help(catalogs):
    body = reply_to("START", catalogs, subscriber=Subscriber(opted_out=True)).body
    assert "Msg & data rates may apply" in body and "HELP" in body and "STOP" in body


@pytest.mark.parametrize("locale", ["en", "es", "fr", "pt", "sw", "tl", "vi", "ar", "hi", "zh"])
@pytest.mark.parametrize("body", ["MENU", "HELP", "STOP", "START", "LANG", "nonsense"])
def test_every_reply_names_the_program_texted_never_infoline(catalogs, locale, body):
    subscriber = Subscriber(locale=locale, opted_out=body == "START")
    reply = reply_to(body, catalogs, program=HOPE, subscriber=subscriber)
    assert reply.locale == locale, "not served in its own language"
    assert "Infoline" not in reply.body and "Hope Clinic" in reply.body


def test_a_contact_given_for_a_language_is_used_in_that_language(catalogs):
    spanish = reply_to("HER2", catalogs, program=HOPE, subscriber=Subscriber(locale="es")).body
    assert spanish.endswith(": Clínica Hope, 0800 123 456.")
    assert reply_to("HER2", catalogs, program=HOPE).body.endswith(f": {CONTACT}.")


@pytest.mark.parametrize("body", ["HER2", "MENU", "HELP", "LANG", "2"])
def test_an_arabic_line_that_opens_with_latin_text_is_marked_right_to_left(catalogs, body):
    reply = reply_to(body, catalogs, program=HOPE, subscriber=Subscriber(locale="ar"))
    assert reply.locale == "ar"
    for line in reply.body.split("\n"):
        first_strong = next(c for c in line if unicodedata.bidirectional(c) in ("L", "R", "AL"))
        assert line.startswith("\u200f") or unicodedata.bidirectional(first_strong) != "L", line


def test_left_to_right_languages_get_no_direction_mark(catalogs):
    assert "\u200f" not in reply_to("HER2", catalogs, program=HOPE, subscriber=Subscriber(locale="es")).body
