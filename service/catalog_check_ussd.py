"""The catalog check's USSD part: a screen whose parts are all translated but that no screen holds.

Such a screen is served from the next locale of the chain (English), whole: nothing is cut, but the
patient reads it in another language. Usually the program's contact is too long for the 80 UCS-2
characters of a screen in a non-Latin script; a shorter contact for that language fixes it.
"""

from __future__ import annotations

from service.catalogs import Catalogs
from service.core.ussd import SCREENS, fits
from service.core.ussd_path import Screen
from service.programs import Program


def _screens(catalogs: Catalogs) -> list[tuple[Screen, str | None]]:
    topics = [(Screen.TOPIC, entry.id) for entry in catalogs.content.topics]
    return [(Screen.MENU, None), (Screen.LANGUAGES, None), *topics]


def ussd_problems(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[str]:
    """Each program's USSD screens that a locale has every part of but cannot fit on a screen."""
    problems = []
    for program in programs:
        for locale in catalogs.locales:
            for screen, topic in _screens(catalogs):
                pages = SCREENS[screen](catalogs, locale, program, topic)
                if pages is not None and not all(fits(page) for page in pages):
                    problems.append(
                        f"program {program.id}: the USSD {topic or screen.value} screen in {locale} does not fit"
                        f" one screen (182 GSM-7 or 80 UCS-2 characters), so it is sent in English; shorten"
                        f' the translation, or the contact for {locale} (contacts = {{ {locale} = "…" }})'
                    )
    return problems
