"""What the admin's matrix shows of USSD and voice: each reply's screens and what a call says.

Both come from the same catalog entries as the SMS; a language without every part (or, on USSD,
without room on a screen) shows the locale it falls back to, as the patient gets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.catalogs import Catalogs
from service.core.spoken import spoken_languages, spoken_reply
from service.core.types import Intent, Utterance
from service.core.ussd import screens_of
from service.core.ussd_pages import screen_size
from service.core.ussd_path import Screen
from service.programs import Program

# The matrix's rows that USSD and voice have too (HELP, STOP, START are text-only: carriers' words).
USSD_SCREENS = {Intent.MENU: Screen.MENU, Intent.LANGUAGE: Screen.LANGUAGES, Intent.TOPIC: Screen.TOPIC}


@dataclass(frozen=True, slots=True)
class UssdPage:
    """One USSD screen and its size against its limit."""

    text: str
    units: int  # septets or UCS-2 characters
    limit: int


@dataclass(frozen=True, slots=True)
class ChannelForms:
    """One reply in one locale on USSD and on a call; empty where the channel has no such reply."""

    ussd: tuple[UssdPage, ...] = ()
    ussd_locale: str = ""
    spoken: tuple[Utterance, ...] = ()


def _pages(screens: tuple[str, ...]) -> tuple[UssdPage, ...]:
    return tuple(UssdPage(screen, *screen_size(screen)) for screen in screens)


def _spoken(
    catalogs: Catalogs, program: Program, locale: str, intent: Intent, topic: str | None
) -> tuple[Utterance, ...]:
    if intent == Intent.LANGUAGE:
        return spoken_languages(catalogs=catalogs, program=program, locale=locale)
    return spoken_reply(catalogs=catalogs, program=program, locale=locale, topic=topic)


def channel_forms(
    *, catalogs: Catalogs, program: Program, locale: str, intent: Intent, topic: str | None
) -> ChannelForms:
    """A reply's USSD pages (with the locale they are in) and its spoken form, for a caller of locale, as the
    program's translations policy serves them."""
    screen = USSD_SCREENS.get(intent)
    if screen is None:
        return ChannelForms()
    catalogs = catalogs.serving(program.translations)
    pages, served = screens_of(catalogs=catalogs, program=program, locale=locale, screen=screen, topic=topic)
    return ChannelForms(_pages(pages), served, _spoken(catalogs, program, locale, intent, topic))


def channel_matrix(
    catalogs: Catalogs, program: Program, rows: list[tuple[str, Intent, str | None]]
) -> dict[str, dict[str, ChannelForms]]:
    """row label -> locale -> its USSD and voice forms, under one program."""
    return {
        label: {
            locale: channel_forms(catalogs=catalogs, program=program, locale=locale, intent=intent, topic=topic)
            for locale in catalogs.locales
        }
        for label, intent, topic in rows
    }
