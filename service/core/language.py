"""Which language a reply is in: the keyword's, the sender's choice, her country's, the program's."""

from __future__ import annotations

import functools

import phonenumbers
from babel.languages import get_official_languages

from service.core.types import Command, Intent, Subscriber
from service.programs import Program, bare_number

# Babel names Tagalog by its standard form, Filipino.
BABEL_ALIASES = {"fil": "tl"}


@functools.lru_cache(maxsize=512)
def _region_languages(region: str) -> tuple[str, ...]:
    return tuple(BABEL_ALIASES.get(code, code) for code in get_official_languages(region, de_facto=True))


@functools.lru_cache(maxsize=65536)
def country_locales(sender: str, served: tuple[str, ...]) -> tuple[str, ...]:
    """The languages of the sender's country that the line has, from her number alone, first first."""
    try:
        number = phonenumbers.parse(bare_number(sender), None)
    except phonenumbers.NumberParseException:
        return ()
    region = phonenumbers.region_code_for_number(number)
    found = []
    for code in _region_languages(region) if region else ():
        for candidate in (code, code.split("_", 1)[0]):
            if candidate in served and candidate not in found:
                found.append(candidate)
    return tuple(found)


# A USSD session dialled or a call made: no words to read a language from, so her stored choice, else
# her number's country's language, else the program's, as for a menu asked for.
DIALLED = Command(intent=Intent.MENU)


def choose_locale(
    *, command: Command, subscriber: Subscriber, program: Program, sender: str, served: tuple[str, ...]
) -> str:
    """The language chosen now; else a keyword only one language has; else hers: her choice, her
    country's, the program's."""
    if command.intent == Intent.LANGUAGE_SET and command.locale:
        return command.locale
    # Only a word of one language alone says which she reads (CIRURGIA: Portuguese).
    if len(command.locales) == 1:
        return next(iter(command.locales))
    if subscriber.locale:
        # A word several languages share (QUIMIO: Spanish and Portuguese) never switches her language.
        return subscriber.locale
    national = country_locales(sender, served)
    # A first text: of the word's languages, her country's if it has one (KEMO from the Philippines: Tagalog).
    shared = [code for code in national if code in command.locales]
    return (shared or [*national, program.default_locale])[0]
