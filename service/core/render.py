"""Reply texts: each reply rendered wholly in one locale, the referral appended last."""

from __future__ import annotations

import functools
from typing import Callable


from service import segments
from service.catalogs import Catalogs, fallback_chain
from service.core.keywords import native_and_english_name
from service.core.types import Intent
from service.programs import Program

MENU_ITEM = "{number} {keyword}"
MENU_SEPARATOR = ", "
PART_SEPARATOR = "\n"


def _first_keyword(words: str | None) -> str | None:
    return words.split(",", 1)[0].strip() if words else None


def _menu(catalogs: Catalogs, locale: str, topic: str | None) -> list[str | None]:
    items = []
    for entry in catalogs.content.topics:
        keyword = _first_keyword(catalogs.lookup(locale, entry.id, entry.keywords))
        items.append(MENU_ITEM.format(number=entry.number, keyword=keyword) if keyword else None)
    listing = MENU_SEPARATOR.join(items) + "." if all(items) else None
    return [catalogs.message(locale, "menu"), listing, catalogs.message(locale, "menu_footer")]


def _topic(catalogs: Catalogs, locale: str, topic: str | None) -> list[str | None]:
    entry = catalogs.content.topic(topic)
    return [catalogs.lookup(locale, entry.id, entry.summary)]


def _message(key: str) -> Callable[[Catalogs, str, str | None], list[str | None]]:
    return lambda catalogs, locale, topic: [catalogs.message(locale, key)]


def native_name(locale: str) -> str:
    """A language's name in itself, capitalized where its script has capitals (Español)."""
    name = native_and_english_name(locale)[0]
    return name[:1].upper() + name[1:]


def _languages(catalogs: Catalogs, locale: str, topic: str | None) -> list[str | None]:
    # Only languages the line can confirm a choice in are offered.
    offered = [code for code in catalogs.locales if catalogs.message(code, "language_set")]
    listing = MENU_SEPARATOR.join(f"{code.upper()} {native_name(code)}" for code in offered)
    return [catalogs.message(locale, "language_list"), listing + "."]


# What each reply is made of. A new kind of reply is a new row.
PARTS: dict[Intent, Callable[[Catalogs, str, str | None], list[str | None]]] = {
    Intent.TOPIC: _topic,
    Intent.MENU: _menu,
    Intent.UNKNOWN: _menu,
    Intent.HELP: _message("help"),
    Intent.STOP: _message("stop_confirm"),
    Intent.START: _message("start_confirm"),
    Intent.LANGUAGE: _languages,
    Intent.LANGUAGE_SET: _message("language_set"),
}


def referral(catalogs: Catalogs, locale: str, program: Program) -> str | None:
    """The care-team referral in a locale, naming the program's contact when it has one."""
    if not program.contact:
        return catalogs.message(locale, "referral")
    template = catalogs.message(locale, "referral_contact")
    try:
        return template % {"contact": program.contact} if template else None
    except (KeyError, ValueError, TypeError):
        # A translation that broke its placeholder is not served (catalog check refuses it too).
        return None


def _in_locale(catalogs: Catalogs, intent: Intent, topic: str | None, locale: str, program: Program) -> str | None:
    parts = [*PARTS[intent](catalogs, locale, topic), referral(catalogs, locale, program)]
    return PART_SEPARATOR.join(parts) if all(parts) else None


@functools.lru_cache(maxsize=8192)
def render(
    *, catalogs: Catalogs, intent: Intent, topic: str | None, locale: str, program: Program
) -> tuple[str, str, segments.SegmentCount]:
    """(text, locale it is in, its cost): the first locale of the chain that has every part."""
    for candidate in fallback_chain(locale):
        text = _in_locale(catalogs, intent, topic, candidate, program)
        if text is not None:
            break
    cost = segments.count(text)
    if program.encoding == "gsm7" and cost.encoding == segments.UCS2:
        # Transliterate only when that makes the reply GSM-7: Arabic or Chinese
        # stays UCS-2 anyway, so its punctuation is left as written.
        cheaper = segments.to_gsm7(text)
        cheaper_cost = segments.count(cheaper)
        if cheaper_cost.encoding == segments.GSM7:
            text, cost = cheaper, cheaper_cost
    return text, candidate, cost
