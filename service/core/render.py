"""Reply texts: each reply rendered wholly in one locale, ending with the referral (core/referral.py)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

from service import segments
from service.catalogs import Catalogs, fallback_chain
from service.content import Topic
from service.core.keywords import native_and_english_name
from service.core.placeholders import filled
from service.core.referral import with_referral
from service.core.types import Intent
from service.programs import Program

MENU_ITEM = "{number} {keyword}"
MENU_SEPARATOR = ", "
PART_SEPARATOR = "\n"
# Languages written right to left (CLDR's character order), and the mark that says so.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
RLM = "\u200f"
Part = Callable[[Catalogs, str, "str | None", Program], "list[str | None]"]


def _first_keyword(listed: str | None) -> str | None:
    return listed.split(",", 1)[0].strip() if listed else None


def menu_keyword(catalogs: Catalogs, locale: str, topic: Topic) -> str | None:
    """The word a menu lists a topic by in a locale (its first keyword), or None when it has none there."""
    return _first_keyword(catalogs.lookup(locale, topic.id, topic.keywords))


def _menu(catalogs: Catalogs, locale: str, topic: str | None, program: Program) -> list[str | None]:
    topics = catalogs.content.topics
    items = [
        MENU_ITEM.format(number=entry.number, keyword=keyword)
        for entry in topics
        if (keyword := menu_keyword(catalogs, locale, entry))
    ]
    # A topic without a keyword in this locale: no listing, so the next locale of the chain serves the menu.
    listing = MENU_SEPARATOR.join(items) + "." if len(items) == len(topics) else None
    return [filled(catalogs, locale, "menu", program), listing, filled(catalogs, locale, "menu_footer", program)]


def _topic(catalogs: Catalogs, locale: str, topic: str | None, program: Program) -> list[str | None]:
    if topic is None:
        raise ValueError("a topic reply needs the topic it is about")
    entry = catalogs.content.topic(topic)
    return [catalogs.lookup(locale, entry.id, entry.summary)]


def _catalog_messages(*keys: str) -> Part:
    return lambda catalogs, locale, topic, program: [filled(catalogs, locale, key, program) for key in keys]


def native_name(locale: str) -> str:
    """A language's name in itself, capitalized where its script has capitals (Español)."""
    name = native_and_english_name(locale)[0]
    return name[:1].upper() + name[1:]


def offered_locales(catalogs: Catalogs) -> tuple[str, ...]:
    """The languages the line offers to choose: those it can confirm a choice in."""
    return tuple(code for code in catalogs.locales if catalogs.message(code, "language_set"))


def _languages(catalogs: Catalogs, locale: str, topic: str | None, program: Program) -> list[str | None]:
    offered = offered_locales(catalogs)
    listing = MENU_SEPARATOR.join(f"{code.upper()} {native_name(code)}" for code in offered)
    return [filled(catalogs, locale, "language_list", program), listing + "."]


# What each reply is made of. A new kind of reply is a new row.
PARTS: dict[Intent, Part] = {
    Intent.TOPIC: _topic,
    Intent.MENU: _menu,
    Intent.UNKNOWN: _menu,
    Intent.HELP: _catalog_messages("help", "help_support"),
    Intent.STOP: _catalog_messages("stop_confirm"),
    Intent.START: _catalog_messages("start_confirm"),
    Intent.LANGUAGE: _languages,
    Intent.LANGUAGE_SET: _catalog_messages("language_set"),
}


def _first_strong_is_ltr(text: str) -> bool:
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return False
        if direction == "L":
            return True
    return False


def directed(part: str, locale: str) -> str:
    """A part of a right-to-left reply that opens with Latin text ("HER2:", the program's name) marked
    right-to-left: phones lay each paragraph out by its first strong letter, and the Arabic after it read out of order."""
    if locale.split("_", 1)[0] in RTL_LANGUAGES and _first_strong_is_ltr(part):
        return RLM + part
    return part


def _in_locale(catalogs: Catalogs, intent: Intent, topic: str | None, locale: str, program: Program) -> str | None:
    parts = with_referral(
        PARTS[intent](catalogs, locale, topic, program), catalogs=catalogs, locale=locale, program=program
    )
    if parts is None or any(part is None for part in parts):
        return None
    return PART_SEPARATOR.join(directed(part, locale) for part in parts if part)


def transliterates(program: Program, catalogs: Catalogs, locale: str) -> bool:
    """Whether a program's replies in a locale are sent transliterated to GSM-7 (its translators opted in)."""
    return program.encoding == "gsm7" and locale in catalogs.transliterable


def as_sent(text: str, *, catalogs: Catalogs, locale: str, program: Program) -> tuple[str, segments.SegmentCount]:
    """(text, its cost) as a program sends it: transliterated to GSM-7 where it and the locale's translators
    opted in, and only when that makes it GSM-7 (Arabic or Chinese stays UCS-2: its punctuation is left as written)."""
    cost = segments.count(text)
    if cost.encoding == segments.UCS2 and transliterates(program, catalogs, locale):
        cheaper = segments.to_gsm7(text)
        cheaper_cost = segments.count(cheaper)
        if cheaper_cost.encoding == segments.GSM7:
            return cheaper, cheaper_cost
    return text, cost


def _first_in_chain(
    *, catalogs: Catalogs, intent: Intent, topic: str | None, locale: str, program: Program
) -> tuple[str, str]:
    """(text, locale it is in) in the first locale of the chain that has every part of the reply."""
    for candidate in fallback_chain(locale):
        text = _in_locale(catalogs, intent, topic, candidate, program)
        if text is not None:
            return text, candidate
    # The chain ends in English, which has every message: a reply missing there is a bug, not a translation gap.
    raise LookupError(f"no locale of the {locale} chain has every part of the {intent.value} reply")


@functools.lru_cache(maxsize=8192)
def render(
    *, catalogs: Catalogs, intent: Intent, topic: str | None, locale: str, program: Program
) -> tuple[str, str, segments.SegmentCount]:
    """compose(), remembered: the line sends the same few hundred replies over and over."""
    return compose(catalogs=catalogs, intent=intent, topic=topic, locale=locale, program=program)


def compose(
    *, catalogs: Catalogs, intent: Intent, topic: str | None, locale: str, program: Program
) -> tuple[str, str, segments.SegmentCount]:
    """(text, locale it is in, its cost): the first locale of the chain that has every part, as the program's
    translations policy serves them (a part not approved falls back whole, as a fuzzy one does)."""
    catalogs = catalogs.serving(program.translations)
    text, candidate = _first_in_chain(catalogs=catalogs, intent=intent, topic=topic, locale=locale, program=program)
    sent, cost = as_sent(text, catalogs=catalogs, locale=candidate, program=program)
    return sent, candidate, cost
