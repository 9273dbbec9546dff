"""The voice line's core: a call's path through TABLE, what each screen says and in which language, and the
referral said last on every channel in every language."""

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.catalogs import build_catalogs
from service.core import InboundMessage, Subscriber, respond
from service.core.aloud import digit_by_digit
from service.core.placeholders import filled
from service.core.referral import referral
from service.core.render import directed
from service.core.respond import RESPONDERS
from service.core.spoken import offered_languages, speakable, spoken_languages, spoken_reply
from service.core.types import Intent
from service.core.voice import HIDDEN_CALLER, MAX_STEPS, CallScreen, CallStep, Keys, walk_call
from service.programs import Program
from service.segments import to_gsm7
from tests.voice_helpers import marked, voice_catalogs, with_recordings

CONTACT = "Hope Clinic, 0800 123 456"
PROGRAMS = [
    Program(translations="drafts", id="default", name="Infoline"),
    Program(
        translations="drafts",
        id="hope",
        name="Hope",
        line_name="Hope Clinic",
        contact=CONTACT,
        contacts=(("es", "Clínica Hope, 0800"),),
    ),
]
SPEAKS = ("es", "fr", "sw")  # voice entries translated; Swahili has no voice
TOPICS = {"1": "her2", "2": "hormone", "3": "chemo", "4": "surgery", "5": "radiation", "6": "goals"}
KEYS = Keys(topics=TOPICS, languages_key="7", languages={"1": "en", "2": "es", "3": "fr"})


@pytest.fixture(scope="module")
def spoken_catalogs(catalogs):
    return voice_catalogs(catalogs, SPEAKS)


def call(catalogs, path="", *, program=PROGRAMS[0], subscriber=Subscriber(), sender="+15551230001"):
    message = InboundMessage(message_id="CA1-0", sender=sender, recipient="+15005550006", body=path, channel="voice")
    return respond(message, subscriber, program, catalogs)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", CallStep()),
        ("1", CallStep(CallScreen.TOPIC, topic="her2")),
        ("6", CallStep(CallScreen.TOPIC, topic="goals")),
        ("8", CallStep()),  # no such choice: the menu again
        ("#", CallStep()),
        ("12", CallStep()),  # never one key
        ("7", CallStep(CallScreen.LANGUAGES)),
        ("1*9", CallStep(CallScreen.TOPIC, topic="her2")),
        ("1*9*9", CallStep(CallScreen.TOPIC, topic="her2")),
        ("1*0", CallStep()),
        ("1*3", CallStep()),  # after a topic only 9 and 0 choose; anything else is the menu
        ("1*0*4", CallStep(CallScreen.TOPIC, topic="surgery")),
        ("7*0", CallStep()),
        ("7*5", CallStep(CallScreen.LANGUAGES)),  # not offered: the language menu again
        ("7*#", CallStep(CallScreen.LANGUAGES)),
        ("7*2", CallStep(chosen="es", choosing=True)),
        ("7*2*1", CallStep(CallScreen.TOPIC, topic="her2", chosen="es")),
        ("7*2*8", CallStep(chosen="es")),
        ("7*2*7*3*5", CallStep(CallScreen.TOPIC, topic="radiation", chosen="fr")),
    ],
)
def test_the_table_takes_a_call_where_its_keys_lead(path, expected):
    assert walk_call(path, KEYS) == (expected, False)


def test_a_path_past_its_bound_ends_and_is_walked_no_further():
    assert walk_call("1" + "*9" * (MAX_STEPS - 1), KEYS) == (CallStep(CallScreen.TOPIC, topic="her2"), False)
    assert walk_call("*".join(["7", "2"] + ["8"] * (MAX_STEPS - 1)), KEYS) == (CallStep(chosen="es"), True)
    assert walk_call("1" + "*1" * 100_000, KEYS)[1]


def test_the_menu_names_every_topic_then_the_referral(catalogs, content):
    reply = call(catalogs, program=PROGRAMS[1])
    keys = [utterance.key for utterance in reply.spoken]
    assert keys == [
        "voice_menu.hope",
        *(f"voice_topic_choice.{topic.id}" for topic in content.topics),
        "voice_languages_choice",
        "referral_contact.hope",
        "referral_contact.hope",  # said once more when no key comes
    ]
    assert reply.spoken[0].text == "Hope Clinic: facts on treatment for breast cancer that has spread."
    assert reply.spoken[1].text == "For her two positive cancer, press 1."
    assert reply.spoken[-3].text == "For another language, press 7."
    # The contact's number read digit by digit, its groups apart, as she would write it down.
    assert reply.spoken[-1].text == "Ask your care team what is right for you: Hope Clinic, 0 8 0 0, 1 2 3, 4 5 6."
    assert (reply.intent, reply.goes_on, reply.segments, reply.locale) == (Intent.MENU, True, 0, "en")
    assert reply.body == "\n".join(utterance.text for utterance in reply.spoken)


def test_with_one_language_to_speak_the_menu_offers_no_other(content):
    english = build_catalogs(content=content, sources={})
    assert offered_languages(english, PROGRAMS[0]) == ("en",)
    assert "voice_languages_choice" not in [u.key for u in call(english).spoken]
    assert call(english, "7").intent == Intent.MENU


def test_every_shipped_language_a_call_can_speak_is_offered_in_itself(catalogs):
    offered = offered_languages(catalogs, PROGRAMS[0])
    assert offered[0] == "en" and "sw" not in offered  # Swahili is translated, but Twilio has no voice for it
    said = call(catalogs, "7").spoken[:-1]
    assert [u.locale for u in said] == list(offered)
    for digit, utterance in enumerate(said, start=1):
        assert utterance.text == filled(
            catalogs, utterance.locale, "voice_language_choice", PROGRAMS[0], {"digit": str(digit)}
        )
    assert {u.locale for u in call(catalogs, subscriber=Subscriber(locale="sw")).spoken} == {"en"}


@pytest.mark.parametrize(("topic", "said"), [("her2", "spoken"), ("chemo", "summary"), ("goals", "spoken")])
def test_a_topic_says_its_spoken_form_or_summary_the_referral_then_what_next(catalogs, content, topic, said):
    number = content.topic(topic).number
    reply = call(catalogs, f"{number}")
    entry = content.topic(topic)
    assert [u.text for u in reply.spoken] == [
        entry.spoken if said == "spoken" else entry.summary,
        "Ask your care team what is right for you.",
        "To hear this again, press 9. For the menu, press 0.",
        "Ask your care team what is right for you.",
    ]
    assert reply.spoken[0].key == f"{topic}.{said}" and (reply.intent, reply.topic) == (Intent.TOPIC, topic)


def test_the_language_menu_offers_each_speakable_language_in_itself(spoken_catalogs):
    reply = call(spoken_catalogs, "7", subscriber=Subscriber(locale="fr"))
    assert [(u.locale, u.text) for u in reply.spoken[:-1]] == [
        ("en", "For English, press 1."),
        ("es", marked("es", "For English, press 2.")),
        ("fr", marked("fr", "For English, press 3.")),
    ]
    assert reply.spoken[-1].locale == "fr" and reply.intent == Intent.LANGUAGE
    assert "sw" not in offered_languages(spoken_catalogs, PROGRAMS[0])  # translated, but no voice


def test_choosing_a_language_on_the_call_remembers_it_and_says_the_menu_in_it(spoken_catalogs):
    reply = call(spoken_catalogs, "7*2", subscriber=Subscriber(locale="fr"))
    assert (reply.intent, reply.locale, reply.subscriber) == (Intent.LANGUAGE_SET, "es", Subscriber(locale="es"))
    assert {u.locale for u in reply.spoken} == {"es"}
    assert reply.spoken[0].text == marked("es", "Infoline: facts on treatment for breast cancer that has spread.")
    later = call(spoken_catalogs, "7*2*1", subscriber=Subscriber(locale="fr"))
    assert later.locale == "es" and later.subscriber == Subscriber(locale="fr")  # chosen once, at its step


@pytest.mark.parametrize(
    ("subscriber", "sender", "locale", "after"),
    [
        (Subscriber(locale="es"), "+15551230001", "es", Subscriber(locale="es")),
        (Subscriber(), "+525512345678", "es", Subscriber(locale="es")),  # Mexico
        (Subscriber(), "+12025550123", "en", Subscriber(locale="en")),  # the US
        (Subscriber(), "+15551230001", "es", Subscriber(locale="es")),  # no country: the program's language
        # Swahili has no voice: the call is in English, her texts stay Swahili.
        (Subscriber(locale="sw"), "+15551230001", "en", Subscriber(locale="sw")),
        (Subscriber(), "+254712345678", "en", Subscriber(locale="sw")),  # Kenya
        # A hidden number: the program's language, nothing remembered, whatever is stored under it.
        (Subscriber(locale="fr"), HIDDEN_CALLER, "es", Subscriber(locale="fr")),
        (Subscriber(), HIDDEN_CALLER, "es", Subscriber()),
    ],
)
def test_the_call_is_in_her_language_when_it_can_be_spoken(spoken_catalogs, subscriber, sender, locale, after):
    program = dataclasses.replace(PROGRAMS[0], default_locale="es")
    reply = call(spoken_catalogs, subscriber=subscriber, sender=sender, program=program)
    assert reply.locale == locale and {u.locale for u in reply.spoken} == {locale}
    assert reply.subscriber == after


def test_a_hidden_caller_choosing_a_language_hears_it_and_leaves_nothing(spoken_catalogs):
    reply = call(spoken_catalogs, "7*3", sender=HIDDEN_CALLER)
    assert (reply.intent, reply.locale, reply.subscriber) == (Intent.LANGUAGE_SET, "fr", Subscriber())


def test_each_group_is_said_wholly_in_one_language(catalogs):
    # French lacks voice_after_topic: its topics are said in English, its menu still in French.
    partial = voice_catalogs(catalogs, ["fr"], leave_out=["voice_after_topic"])
    menu = call(partial, subscriber=Subscriber(locale="fr"))
    topic = call(partial, "3", subscriber=Subscriber(locale="fr"))
    assert {u.locale for u in menu.spoken} == {"fr"}
    assert {u.locale for u in topic.spoken} == {"en"}
    assert topic.spoken[0].text == catalogs.content.topic("chemo").summary


def test_a_locale_spoken_from_recordings_needs_every_key_recorded(catalogs):
    program = PROGRAMS[1]
    keys = {u.key for topic in ("her2", "hormone", "chemo", "surgery", "radiation", "goals", None)
            for u in spoken_reply(catalogs=catalogs, program=program, locale="en", topic=topic)}  # fmt: skip
    keys |= {"voice_languages_choice", "voice_language_choice.3"}  # sw is offered third: en, es, sw
    recorded = voice_catalogs(catalogs, ["es", "sw"], content=with_recordings(catalogs.content, "sw", keys))
    assert speakable(recorded, program, "sw") and offered_languages(recorded, program) == ("en", "es", "sw")
    reply = call(recorded, "1", subscriber=Subscriber(locale="sw"), program=program)
    assert {u.locale for u in reply.spoken} == {"sw"} and reply.spoken[0].key == "her2.spoken"
    offer = spoken_languages(catalogs=recorded, program=program, locale="sw")
    assert [u.locale for u in offer] == ["en", "es", "sw", "sw"]
    missing = voice_catalogs(catalogs, ["sw"], content=with_recordings(catalogs.content, "sw", keys - {"goals.spoken"}))
    assert not speakable(missing, program, "sw") and "sw" not in offered_languages(missing, program)
    assert {u.locale for u in call(missing, subscriber=Subscriber(locale="sw"), program=program).spoken} == {"en"}
    # Its offer recorded for another digit: a key would choose a language nobody heard offered, so it is not.
    elsewhere = keys - {"voice_language_choice.3"} | {"voice_language_choice.2"}
    shifted = voice_catalogs(catalogs, ["es", "sw"], content=with_recordings(catalogs.content, "sw", elsewhere))
    assert speakable(shifted, program, "sw") and offered_languages(shifted, program) == ("en", "es")


def test_past_its_bound_a_call_ends_with_the_referral_alone(spoken_catalogs):
    reply = call(spoken_catalogs, "*".join(["9"] * (MAX_STEPS + 1)), subscriber=Subscriber(locale="es"))
    assert [u.text for u in reply.spoken] == [digit_by_digit(referral(spoken_catalogs, "es", PROGRAMS[0]))]
    assert (reply.goes_on, reply.intent, reply.topic) == (False, Intent.MENU, None)


def test_filled_takes_a_calls_values(catalogs, program):
    values = {"topic": "surgery", "digit": "4"}
    assert filled(catalogs, "en", "voice_topic_choice", program, values) == "For surgery, press 4."
    assert filled(catalogs, "en", "voice_topic_choice", program) is None  # without them: not said half-filled


CHANNELS = ("sms", *RESPONDERS)
KEYS_PRESSED = st.lists(st.sampled_from("0123456789#"), max_size=MAX_STEPS + 3).map("*".join)


@settings(max_examples=400, deadline=None)
@given(
    channel=st.sampled_from(CHANNELS),
    locale=st.sampled_from([None, "en", "es", "fr", "sw", "ar", "zh", "xx"]),
    program=st.sampled_from(PROGRAMS),
    path=KEYS_PRESSED,
    sender=st.sampled_from(["+15551230001", "+254712345678", "+33612345678", HIDDEN_CALLER]),
)
def test_every_channel_in_every_language_ends_with_the_referral_in_the_replys_language(
    spoken_catalogs, channel, locale, program, path, sender
):
    catalogs = spoken_catalogs
    message = InboundMessage(message_id="X1", sender=sender, recipient="+15005550006", body=path, channel=channel)
    reply = respond(message, Subscriber(locale=locale), program, catalogs)
    ending = referral(catalogs, reply.locale, program)
    if not reply.goes_on:  # what ends an exchange ends with the referral, as the channel may write it
        shown = {ending, to_gsm7(ending), directed(ending, reply.locale), directed(to_gsm7(ending), reply.locale)}
        assert any(reply.body.endswith(text) for text in shown), reply.body
    if channel != "voice":  # a USSD screen that goes on ends with its choices (tests/core/test_ussd.py)
        return
    # A call's TwiML says its last utterance after the gather, whether or not a key comes.
    assert reply.spoken[-1].text == digit_by_digit(ending) and reply.spoken[-1].locale == reply.locale
    for utterance in reply.spoken:  # said only in languages the line can speak, none unspeakable
        assert speakable(catalogs, program, utterance.locale) and utterance.locale != "sw"
    if reply.intent != Intent.LANGUAGE:  # a screen is said in one language
        assert {u.locale for u in reply.spoken} == {reply.locale}


def test_the_admin_can_ask_what_any_screen_says_in_any_language(spoken_catalogs, content):
    for locale, topic in itertools.product(spoken_catalogs.locales, [None, *(t.id for t in content.topics)]):
        said = spoken_reply(catalogs=spoken_catalogs, program=PROGRAMS[1], locale=locale, topic=topic)
        assert said[-1].text == digit_by_digit(referral(spoken_catalogs, said[-1].locale, PROGRAMS[1]))
        assert said[-1].locale == (locale if locale in SPEAKS[:2] else "en")


def test_a_topic_and_its_referral_are_heard_whole_and_only_the_offer_takes_a_key(catalogs):
    said = spoken_reply(catalogs=catalogs, program=PROGRAMS[1], locale="en", topic="surgery")
    assert [(u.key, u.whole) for u in said] == [
        ("surgery.summary", True),
        ("referral_contact.hope", True),
        ("voice_after_topic", False),
        ("referral_contact.hope", False),  # said after the gather when no key comes
    ]
    menu = spoken_reply(catalogs=catalogs, program=PROGRAMS[1], locale="en", topic=None)
    assert not any(u.whole for u in menu)  # a menu may be cut short by the key she already knows
