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
def country_locale(sender: str, served: tuple[str, ...]) -> str | None:
    """The first language of the sender's country that the line has, from her number alone."""
    try:
        number = phonenumbers.parse(bare_number(sender), None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    for code in _region_languages(region) if region else ():
        for candidate in (code, code.split("_", 1)[0]):
            if candidate in served:
                return candidate
    return None


def choose_locale(
    *, command: Command, subscriber: Subscriber, program: Program, sender: str, served: tuple[str, ...]
) -> str:
    """The language chosen now, else the keyword's, else the sender's, her country's, the program's."""
    if command.intent == Intent.LANGUAGE_SET and command.locale:
        return command.locale
    usual = subscriber.locale or country_locale(sender, served) or program.default_locale
    if not command.locales or usual in command.locales:
        return usual
    # A word of several languages (but not hers): the program's, else the first.
    return program.default_locale if program.default_locale in command.locales else min(command.locales)
