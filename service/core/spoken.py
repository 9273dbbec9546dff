"""What a call says: each screen's utterances, every group of them wholly in one language that can say it.

A group (the menu; a topic with its referral; one language's offer in the language menu) is made in the
first locale of the fallback chain that has every part as a served translation and can say every part:
with its <Say> voice (content/voices.toml) or a recording of that part (content/audio/). English can
always be said (Twilio's own voice speaks it at worst). Never mixed: one part missing, and the whole
group is the next locale's. The care-team referral closes every reply (referral.py).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

from service.catalogs import SOURCE_LOCALE, Catalogs, fallback_chain
from service.content import Content
from service.core.aloud import digit_by_digit, without_asides
from service.core.placeholders import filled
from service.core.referral import REFERRAL_CONTACT, referral, referral_key
from service.core.types import Utterance
from service.programs import Program

# The keys that choose on every screen; 9 and 0 are what follows a topic (voice_after_topic says so).
KEYPAD = "123456789"
MENU = "voice_menu"
TOPIC_CHOICE = "voice_topic_choice"
LANGUAGES_CHOICE = "voice_languages_choice"
LANGUAGE_CHOICE = "voice_language_choice"
AFTER_TOPIC = "voice_after_topic"
# (the key said, which names its recording; its text, None when the locale has none served)
Part = tuple[str, "str | None"]


def sayable(content: Content, locale: str, key: str) -> bool:
    """Whether a locale can say a key: by its voice, or a recording of it (English always can)."""
    return locale == SOURCE_LOCALE or locale in content.voices or key in content.recordings.get(locale, {})


def _group(content: Content, locale: str, parts: list[Part]) -> tuple[Utterance, ...] | None:
    if all(text and sayable(content, locale, key) for key, text in parts):
        return tuple(Utterance(text=text, locale=locale, key=key) for key, text in parts if text)
    return None


def _in_chain(catalogs: Catalogs, locale: str, parts: Callable[[str], list[Part]]) -> tuple[Utterance, ...]:
    for candidate in fallback_chain(locale):
        group = _group(catalogs.content, candidate, parts(candidate))
        if group is not None:
            return group
    # The chain ends in English, which has every message: a group missing there is a bug, not a gap.
    raise LookupError(f"no locale of the {locale} chain can say every part of a call's screen")


def keyed_topics(content: Content) -> Mapping[str, str]:
    """digit -> the topic it chooses in the voice menu (the topic's number, as on SMS)."""
    return {str(topic.number): topic.id for topic in content.topics if str(topic.number) in KEYPAD}


def _languages_key(content: Content) -> str | None:
    digit = str(content.languages_number)
    return digit if digit in KEYPAD and digit not in keyed_topics(content) else None


def _referral(catalogs: Catalogs, program: Program, locale: str) -> Part:
    key = referral_key(program=program, locale=locale)
    text = referral(catalogs, locale, program)
    # The contact is the program's: a recording of it is one program's too.
    return (f"{key}.{program.id}" if key == REFERRAL_CONTACT else key), text and digit_by_digit(text)


def _menu(catalogs: Catalogs, program: Program, locale: str, languages: str | None) -> list[Part]:
    parts: list[Part] = [(f"{MENU}.{program.id}", filled(catalogs, locale, MENU, program))]
    for digit, topic_id in keyed_topics(catalogs.content).items():
        topic = catalogs.content.topic(topic_id)
        name = catalogs.lookup(locale, topic.id, topic.spoken_name)
        values = {"topic": name or "", "digit": digit}
        parts.append(
            (f"{TOPIC_CHOICE}.{topic.id}", filled(catalogs, locale, TOPIC_CHOICE, program, values) if name else None)
        )
    if languages:
        parts.append((LANGUAGES_CHOICE, filled(catalogs, locale, LANGUAGES_CHOICE, program, {"digit": languages})))
    return [*parts, _referral(catalogs, program, locale)]


def _topic(catalogs: Catalogs, program: Program, locale: str, topic_id: str) -> list[Part]:
    topic = catalogs.content.topic(topic_id)
    if topic.spoken:
        said: Part = (f"{topic.id}.spoken", catalogs.lookup(locale, topic.id, topic.spoken))
    else:
        summary = catalogs.lookup(locale, topic.id, topic.summary)
        said = (f"{topic.id}.summary", summary and without_asides(summary))
    return [
        said,
        _referral(catalogs, program, locale),
        (AFTER_TOPIC, filled(catalogs, locale, AFTER_TOPIC, program)),
    ]


@functools.lru_cache(maxsize=1024)
def speakable(catalogs: Catalogs, program: Program, locale: str) -> bool:
    """Whether a call can be in a locale: it has a voice, or a recording of every key a call says."""
    if locale == SOURCE_LOCALE or locale in catalogs.content.voices:
        return True
    recorded = catalogs.content.recordings.get(locale, {})
    keys = [key for key, _ in _menu(catalogs, program, locale, _languages_key(catalogs.content))]
    for topic_id in keyed_topics(catalogs.content).values():
        keys += [key for key, _ in _topic(catalogs, program, locale, topic_id)]
    return all(key in recorded for key in keys)


@functools.lru_cache(maxsize=256)
def offered_languages(catalogs: Catalogs, program: Program) -> tuple[str, ...]:
    """The languages the language menu offers, in order (the first is 1): those a call can be in whose
    translators named their language (voice_language_choice), as many as the keypad has digits."""
    offered: list[str] = []
    for locale in catalogs.locales:
        if len(offered) == len(KEYPAD):
            break
        # The offer is said for the digit it gets: a recording of it is one digit's (spoken_languages).
        offer = (f"{LANGUAGE_CHOICE}.{KEYPAD[len(offered)]}", catalogs.message(locale, LANGUAGE_CHOICE))
        if speakable(catalogs, program, locale) and _group(catalogs.content, locale, [offer]):
            offered.append(locale)
    return tuple(offered)


def languages_key(catalogs: Catalogs, program: Program) -> str | None:
    """The menu's digit for the language menu (the one after the topics), None when one language is all
    there is to choose."""
    return _languages_key(catalogs.content) if len(offered_languages(catalogs, program)) > 1 else None


def speaking_locale(catalogs: Catalogs, program: Program, locale: str) -> str:
    """The locale a call wanted in locale is in: the first of its chain the line serves and can speak."""
    chain = fallback_chain(locale)
    return next((code for code in chain if code in catalogs.locales and speakable(catalogs, program, code)), chain[-1])


def closing(catalogs: Catalogs, program: Program, locale: str) -> Utterance:
    """The referral a call ends with, in locale (else the next of its chain)."""
    return _in_chain(catalogs, locale, lambda code: [_referral(catalogs, program, code)])[0]


@functools.lru_cache(maxsize=4096)
def spoken_reply(*, catalogs: Catalogs, program: Program, locale: str, topic: str | None) -> tuple[Utterance, ...]:
    """What a call says for the menu (topic None) or a topic, for a caller of locale, closing referral last."""
    said = speaking_locale(catalogs, program, locale)
    languages = languages_key(catalogs, program)
    if topic is None:
        group = _in_chain(catalogs, said, lambda code: _menu(catalogs, program, code, languages))
    else:
        group = _in_chain(catalogs, said, lambda code: _topic(catalogs, program, code, topic))
        # The topic and its referral are heard whole; only the offer that follows (9, 0) takes a key.
        group = tuple(dataclasses.replace(u, whole=True) if u.key != AFTER_TOPIC else u for u in group)
    return (*group, closing(catalogs, program, group[0].locale))


@functools.lru_cache(maxsize=1024)
def spoken_languages(*, catalogs: Catalogs, program: Program, locale: str) -> tuple[Utterance, ...]:
    """What the language menu says: each offered language offered in itself, by its own voice (never in
    another language: the text names the language), then the closing referral in the caller's locale."""
    offers: list[Utterance] = []
    for digit, code in zip(KEYPAD, offered_languages(catalogs, program), strict=False):
        text = filled(catalogs, code, LANGUAGE_CHOICE, program, {"digit": digit})
        # A recording says its digit: a language whose recording is for another digit is not said.
        offers += _group(catalogs.content, code, [(f"{LANGUAGE_CHOICE}.{digit}", text)]) or ()
    return (*offers, closing(catalogs, program, speaking_locale(catalogs, program, locale)))
