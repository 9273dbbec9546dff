"""USSD screens: the reply to one step of a session, from the same catalogs as SMS. Pure.

The path (core/ussd_path.py) says which screen; this makes it, wholly in the first locale of the
fallback chain that has every part of it and where it fits Africa's Talking's 182 characters (never
mixed languages): the menu, a topic's summary paged at word boundaries (its last page, which ends the
session, carries the care-team referral last), the list of languages.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence

import regex

from service import segments
from service.catalogs import Catalogs, fallback_chain
from service.core.language import choose_locale
from service.core.placeholders import filled
from service.core.referral import referral
from service.core.render import directed, menu_keyword, native_name, offered_locales
from service.core.types import Command, InboundMessage, Intent, Reply, Subscriber
from service.core.ussd_path import BACK, MORE, Choices, Screen, walk
from service.programs import Program

# Africa's Talking's limit for one screen, counted as segments.py counts: GSM-7 septets (an extension
# character counts 2), else UTF-16 units.
SCREEN_LIMIT = 182
ITEM = "{number} {text}"
# Who dials in and has chosen nothing in this path gets her own language (choose_locale), as for a menu.
DIALLED = Command(intent=Intent.MENU)
_GRAPHEME = regex.compile(r"\X")
Made = Callable[[Catalogs, str, Program, "str | None"], "list[str] | None"]


def screen_units(text: str) -> int:
    """How much of a screen's SCREEN_LIMIT a text takes."""
    return segments.count(text).units


def fits(text: str) -> bool:
    """Whether a text fits on one USSD screen."""
    return screen_units(text) <= SCREEN_LIMIT


def _screen(lines: Sequence[str], locale: str) -> str:
    return "\n".join(directed(line, locale) for line in lines)


def _as_gsm7(parts: list[str], catalogs: Catalogs, locale: str) -> list[str]:
    """The parts transliterated to GSM-7 where the locale's translators allow it and that makes every part
    GSM-7 (a handset shows GSM-7 everywhere); else as written."""
    if locale not in catalogs.transliterable:
        return parts
    plain = [segments.to_gsm7(part) for part in parts]
    return plain if all(segments.count(part).encoding == segments.GSM7 for part in plain) else parts


def _menu(catalogs: Catalogs, locale: str, program: Program, topic: str | None) -> list[str] | None:
    topics = catalogs.content.topics
    keywords = [menu_keyword(catalogs, locale, entry) for entry in topics]
    parts = [filled(catalogs, locale, "ussd_menu", program), *keywords, catalogs.message(locale, "ussd_languages")]
    if not all(parts):
        return None
    head, *names, languages = _as_gsm7([part or "" for part in parts], catalogs, locale)
    items = [ITEM.format(number=entry.number, text=name) for entry, name in zip(topics, names, strict=True)]
    return [_screen([head, *items, ITEM.format(number=len(topics) + 1, text=languages)], locale)]


def _languages(catalogs: Catalogs, locale: str, program: Program, topic: str | None) -> list[str] | None:
    parts = [catalogs.message(locale, "ussd_language_list"), catalogs.message(locale, "ussd_back")]
    if not all(parts):
        return None
    head, back = _as_gsm7([part or "" for part in parts], catalogs, locale)
    items = [
        ITEM.format(number=number, text=native_name(code)) for number, code in enumerate(offered_locales(catalogs), 1)
    ]
    return [_screen([head, *items, ITEM.format(number=BACK, text=back)], locale)]


def _topic(catalogs: Catalogs, locale: str, program: Program, topic: str | None) -> list[str] | None:
    entry = catalogs.content.topic(topic or "")
    summary = catalogs.lookup(locale, entry.id, entry.summary)
    parts = [summary, catalogs.message(locale, "ussd_more"), catalogs.message(locale, "ussd_back")]
    ending = referral(catalogs, locale, program)
    if not all(parts) or not ending:
        return None
    text, more, back, ending = _as_gsm7([*(part or "" for part in parts), ending], catalogs, locale)
    footer = [ITEM.format(number=MORE, text=more), ITEM.format(number=BACK, text=back)]
    return topic_pages(text, footer=footer, ending=ending, locale=locale)


def _longest_fitting(items: Sequence[str], joiner: str, *, tail: Sequence[str], locale: str) -> int:
    """How many of items, from the first, fit on one screen joined, with the tail's lines below them."""
    count = 0
    while count < len(items) and fits(_screen([joiner.join(items[: count + 1]), *tail], locale)):
        count += 1
    return count


def _pieces(words: Sequence[str], *, tail: Sequence[str], locale: str) -> list[str]:
    """The words, a word too long for a page with its tail (a text without spaces) cut where it fits."""
    pieces: list[str] = []
    for word in words:
        graphemes = _GRAPHEME.findall(word)
        while graphemes:  # each turn takes at least one
            taken = max(1, _longest_fitting(graphemes, "", tail=tail, locale=locale))
            pieces.append("".join(graphemes[:taken]))
            graphemes = graphemes[taken:]
    return pieces


def topic_pages(text: str, *, footer: Sequence[str], ending: str, locale: str) -> list[str]:
    """A text paged at word boundaries: the footer (more, back) under every page but the last, the
    ending (the referral) last on the last."""
    words = _pieces(text.split(), tail=footer, locale=locale)
    pages: list[str] = []
    while words:  # each turn takes at least one word
        if fits(last := _screen([" ".join(words), ending], locale)):
            return [*pages, last]
        taken = max(1, _longest_fitting(words, " ", tail=footer, locale=locale))
        pages.append(_screen([" ".join(words[:taken]), *footer], locale))
        words = words[taken:]
    return [*pages, _screen([ending], locale)]


SCREENS: dict[Screen, Made] = {Screen.MENU: _menu, Screen.LANGUAGES: _languages, Screen.TOPIC: _topic}


@functools.lru_cache(maxsize=4096)
def _made(
    catalogs: Catalogs, program: Program, locale: str, screen: Screen, topic: str | None
) -> tuple[tuple[str, ...], str]:
    """(screens, locale they are in): the first locale of the chain that has every part and where each fits."""
    for candidate in fallback_chain(locale):
        made = SCREENS[screen](catalogs, candidate, program, topic)
        if made and all(fits(page) for page in made):
            return tuple(made), candidate
    # English ends every chain and fits with the longest names programs allow (tests/core/test_ussd.py).
    raise LookupError(f"no locale of the {locale} chain has every part of the USSD {screen.value} screen")


def ussd_screens(*, catalogs: Catalogs, program: Program, locale: str, topic: str | None) -> list[str]:
    """A topic's USSD screens in a locale, first page first; the menu and the list of languages for None."""
    if topic is not None:
        return list(_made(catalogs, program, locale, Screen.TOPIC, topic)[0])
    return [_made(catalogs, program, locale, screen, None)[0][0] for screen in (Screen.MENU, Screen.LANGUAGES)]


@functools.lru_cache(maxsize=4096)
def _encoding(screen: str) -> str:
    # Only _made()'s screens come here; counting a UCS-2 one takes a hundred microseconds.
    return segments.count(screen).encoding


@functools.lru_cache(maxsize=8)
def ussd_choices(catalogs: Catalogs) -> Choices:
    """What a set of catalogs' USSD menus offer: the topics' numbers and the languages listed."""
    return Choices(topics=tuple(entry.number for entry in catalogs.content.topics), locales=offered_locales(catalogs))


def respond_ussd(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> Reply:
    """The screen one step of a USSD session shows: CON while it waits for a choice, END on a topic's
    last page. Dialling in is her own request: answered even if she opted out of texts (unchanged)."""
    step = walk(message.body, ussd_choices(catalogs))
    locale = step.chosen or choose_locale(
        command=DIALLED, subscriber=subscriber, program=program, sender=message.sender, served=catalogs.locales
    )
    after = dataclasses.replace(subscriber, locale=step.chosen) if step.chosen else subscriber
    topic = next((entry.id for entry in catalogs.content.topics if entry.number == step.topic), None)
    pages, served = _made(catalogs, program, locale, step.screen, topic if step.screen == Screen.TOPIC else None)
    page = min(step.page, len(pages) - 1)
    intent = {Screen.TOPIC: Intent.TOPIC, Screen.LANGUAGES: Intent.LANGUAGE}.get(step.screen, Intent.MENU)
    return Reply(
        body=pages[page],
        intent=Intent.LANGUAGE_SET if step.just_chose else intent,
        locale=served,
        topic=topic if step.screen == Screen.TOPIC else None,
        encoding=_encoding(pages[page]),
        segments=0,  # nothing is sent: the screen is the session's
        subscriber=after,
        goes_on=step.screen != Screen.TOPIC or page < len(pages) - 1,
    )
