"""The catalog check's USSD part: a screen whose parts are all translated but that no screen holds.

Such a screen is served from the next locale of the chain (English), whole: nothing is cut, but the
patient reads it in another language. Usually the program's contact is too long for the 80 UCS-2
characters of a screen in a non-Latin script; a shorter contact for that language fixes it.
"""

from __future__ import annotations

from service.catalogs import SOURCE_LOCALE, Catalogs
from service.core.ussd import SCREENS
from service.core.ussd_pages import fits
from service.core.ussd_path import Screen
from service.programs import DEFAULT_PROGRAM_ID, Program


def _screens(catalogs: Catalogs) -> list[tuple[Screen, str | None]]:
    topics = [(Screen.TOPIC, entry.id) for entry in catalogs.content.topics]
    return [(Screen.MENU, None), (Screen.LANGUAGES, None), *topics]


def _unfit(catalogs: Catalogs, program: Program, locale: str) -> list[str]:
    """The screens (topic ids, "menu", "languages") a locale has every part of but cannot fit."""
    unfit = []
    for screen, topic in _screens(catalogs):
        pages = SCREENS[screen](catalogs, locale, program, topic)
        if pages is not None and not all(fits(page) for page in pages):
            unfit.append(topic or screen.value)
    return unfit


def on_ussd(programs: tuple[Program, ...]) -> tuple[Program, ...]:
    """The programs a USSD session can reach: those with codes, and the default (it answers the rest)."""
    return tuple(program for program in programs if program.ussd_codes or program.id == DEFAULT_PROGRAM_ID)


def contact_problems(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[str]:
    """Programs on USSD whose contact makes even the English referral longer than a screen: English ends
    every fallback chain, so nothing would be left to send (checked at start)."""
    return [
        f"program {program.id}: its contact makes the English referral longer than a USSD screen holds"
        f" (80 characters once it has a letter GSM-7 lacks): shorten contact, or write it in Latin letters"
        f' and give the other form for its language (contacts = {{ ar = "…" }})'
        for program in on_ussd(programs)
        if _unfit(catalogs, program, SOURCE_LOCALE)
    ]


def ussd_problems(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[str]:
    """Each program's USSD screens that a locale has every part of but cannot fit on a screen (English's:
    contact_problems)."""
    translated = [locale for locale in catalogs.locales if locale != SOURCE_LOCALE]
    return [
        f"program {program.id}: the USSD {unfit} screen in {locale} does not fit"
        f" one screen (182 GSM-7 or 80 UCS-2 characters), so it is sent in English; shorten"
        f' the translation, or the contact for {locale} (contacts = {{ {locale} = "…" }})'
        for program in on_ussd(programs)
        for locale in translated
        for unfit in _unfit(catalogs, program, locale)
    ] + contact_problems(catalogs, programs)
