"""No everyday word opts anyone out or in, or changes her language; every real stop and start word still works.

A Vietnamese sender texting "Đúng" (right) or "Huy" (a name) was opted out: folded, they were the
stop words DUNG and HUY. Stop and start words are now matched with their accents as written.
"""

import pytest

from service.catalogs import load_catalogs
from service.content import load_content, split_keywords
from service.core import InboundMessage, Subscriber, respond
from service.core.opt_out import OPT_WORDS
from service.core.types import Intent
from service.programs import Program

PROGRAM = Program(translations="drafts", id="default", name="Infoline")
CATALOGS = load_catalogs(content=load_content())
# Per language: yes, no, ok, thanks, hello, names and ordinary questions, as patients type them
# (content/ordinary_texts.toml). None may change what the line remembers of her.
EVERYDAY = CATALOGS.content.ordinary


def reply_to(body: str, subscriber: Subscriber):
    message = InboundMessage(message_id="SM1", sender="+15551230001", recipient="+1500", body=body)
    return respond(message, subscriber, PROGRAM, CATALOGS)


@pytest.mark.parametrize(("locale", "word"), [(locale, word) for locale, found in EVERYDAY.items() for word in found])
@pytest.mark.parametrize("opted_out", [False, True])
def test_an_everyday_word_changes_no_state(locale, word, opted_out):
    subscriber = Subscriber(locale=locale, opted_out=opted_out)
    reply = reply_to(word, subscriber)
    assert reply.intent not in (Intent.STOP, Intent.START, Intent.LANGUAGE_SET), reply.intent
    assert reply.subscriber == subscriber


@pytest.mark.parametrize("locale", CATALOGS.locales)
def test_every_language_has_its_ordinary_texts(locale):
    assert len(EVERYDAY.get(locale, ())) >= 8


@pytest.mark.parametrize("locale", CATALOGS.locales)
def test_every_language_lists_its_everyday_words(locale):
    # The catalog check reads them to refuse a stop, start or language word one of them would be read as.
    assert len(split_keywords(CATALOGS.message(locale, "everyday_words") or "")) >= 8


def opt_words():
    for locale in CATALOGS.locales:
        for intent, key in OPT_WORDS.items():
            for word in split_keywords(CATALOGS.message(locale, key) or ""):
                yield locale, intent, word


@pytest.mark.parametrize(("locale", "intent", "word"), list(opt_words()))
def test_every_stop_and_start_word_as_written_still_works(locale, intent, word):
    before = Subscriber(locale=locale, opted_out=intent == Intent.START)
    reply = reply_to(word, before)
    assert reply.intent == intent and reply.subscriber.opted_out == (intent == Intent.STOP)
    assert reply.body is not None  # the confirmation carriers require


@pytest.mark.parametrize("text", ["Đúng rồi", "dung roi", "Huy đây", "Tôi dùng thuốc"])
def test_vietnamese_sentences_with_folded_stop_words_are_no_opt_out(text):
    assert reply_to(text, Subscriber(locale="vi")).intent not in (Intent.STOP, Intent.START)


def test_the_english_carrier_words_are_untouched():
    for word in ["STOP", "stop", "Stop!", "UNSUBSCRIBE", "cancel", "END", "quit", "REVOKE", "optout", "stopall"]:
        assert reply_to(word, Subscriber()).intent == Intent.STOP, word
    for word in ["START", "unstop", "YES"]:
        assert reply_to(word, Subscriber(opted_out=True)).intent == Intent.START, word
