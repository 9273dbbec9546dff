"""USSD screens: the reply to one step of a session, from the same catalogs as SMS. Pure.

The path (core/ussd_path.py) says which screen; this makes it, paged by core/ussd_pages.py, wholly in
the first locale of the fallback chain that has every part of it and where it fits one screen (never
mixed languages): the menu, a topic's summary paged at word boundaries (its last page, which ends the
session, carries the care-team referral last), the list of languages paged by whole names.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

from service import segments
from service.catalogs import Catalogs, fallback_chain
from service.core.language import DIALLED, choose_locale
from service.core.placeholders import filled
from service.core.referral import referral
from service.core.render import menu_keyword, native_name, offered_locales
from service.core.types import InboundMessage, Intent, Reply, Subscriber
from service.core.ussd_pages import first_fitting, fits, list_pages, topic_pages
from service.core.ussd_path import BACK, MORE, MORE_LANGUAGES, Choices, Screen, walk
from service.programs import Program

ITEM = "{number} {text}"
Made = Callable[[Catalogs, str, Program, "str | None"], "list[str] | None"]


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
    items.append(ITEM.format(number=catalogs.content.languages_number, text=languages))
    # The numbered choices are the screen; its heading gives way where both do not fit (80 UCS-2 characters).
    return [first_fitting([head, *items], items, locale=locale)]


def _languages(catalogs: Catalogs, locale: str, program: Program, topic: str | None) -> list[str] | None:
    keys = ("ussd_language_list", "ussd_more", "ussd_back")
    parts = [catalogs.message(locale, key) for key in keys]
    if not all(parts):
        return None
    head, more, back = _as_gsm7([part or "" for part in parts], catalogs, locale)
    items = [
        ITEM.format(number=number, text=native_name(code)) for number, code in enumerate(offered_locales(catalogs), 1)
    ]
    footer = [ITEM.format(number=MORE_LANGUAGES, text=more), ITEM.format(number=BACK, text=back)]
    return list_pages(items, head=head, footer=footer, last=footer[1:], locale=locale)


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
    # English has every part; a contact too long for its referral is refused at start (service.line), so
    # this is a program made since: its pages as they are, which a network may cut, rather than none.
    return tuple(made or ()), candidate


def screens_of(
    *, catalogs: Catalogs, program: Program, locale: str, screen: Screen, topic: str | None = None
) -> tuple[tuple[str, ...], str]:
    """(pages, the locale they are in) of one screen for a caller of locale: her locale's, else the next
    of its chain that has every part and fits."""
    return _made(catalogs, program, locale, screen, topic)


def ussd_screens(*, catalogs: Catalogs, program: Program, locale: str, topic: str | None) -> list[str]:
    """A topic's USSD screens in a locale, first page first; the menu and the list of languages' pages for None."""
    if topic is not None:
        return list(_made(catalogs, program, locale, Screen.TOPIC, topic)[0])
    return [
        page for screen in (Screen.MENU, Screen.LANGUAGES) for page in _made(catalogs, program, locale, screen, None)[0]
    ]


@functools.lru_cache(maxsize=4096)
def _encoding(screen: str) -> str:
    # Only _made()'s screens come here; counting a UCS-2 one takes a hundred microseconds.
    return segments.count(screen).encoding


@functools.lru_cache(maxsize=8)
def ussd_choices(catalogs: Catalogs) -> Choices:
    """What a set of catalogs' USSD menus offer: the topics' numbers and the languages listed."""
    content = catalogs.content
    topics = tuple(entry.number for entry in content.topics)
    return Choices(topics=topics, locales=offered_locales(catalogs), languages_entry=str(content.languages_number))


def respond_ussd(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> Reply:
    """The screen one step of a USSD session shows: CON while it waits for a choice, END on a topic's
    last page. Dialling in is her own request: answered even if she opted out of texts (unchanged)."""
    catalogs = catalogs.serving(program.translations)
    step = walk(message.body, ussd_choices(catalogs))
    locale = step.chosen or choose_locale(
        command=DIALLED, subscriber=subscriber, program=program, sender=message.sender, served=catalogs.locales
    )
    # As on SMS and calls (respond.next_subscriber): her choice, made at this step, is kept; a first
    # caller's language is kept as found; a later step never writes an earlier choice back over a newer one.
    kept = step.chosen if step.just_chose else (locale if subscriber.locale is None else None)
    after = dataclasses.replace(subscriber, locale=kept) if kept else subscriber
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
