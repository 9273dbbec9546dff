"""What the admin pages show, computed from catalogs and programs (no HTTP here; usage: admin_usage.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex
from babel import Locale

from service import segments
from service.catalog_check import budget, replies
from service.catalog_tools import LocaleStats, locale_stats
from service.catalogs import SOURCE_LOCALE, Catalogs
from service.core.referral import REFERRAL_KEYS, referral
from service.core.render import render, transliterates
from service.core.types import Intent
from service.programs import Program
from service.store.versions import CatalogVersion

MESSAGE_PARTS = {
    Intent.MENU: ("menu", "menu_footer"),
    Intent.HELP: ("help", "help_support"),
    Intent.STOP: ("stop_confirm",),
    Intent.START: ("start_confirm",),
    Intent.LANGUAGE: ("language_list",),
    Intent.LANGUAGE_SET: ("language_set",),
}
REFERRAL_ROW = "referral"
MAX_MARKED_SHARE = 0.2
GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True, slots=True)
class ProgramRow:
    program: Program
    transliterated: tuple[str, ...]  # the locales its replies are sent in without accents (gsm7 policy)


def program_rows(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[ProgramRow]:
    """Each program and the languages it sends transliterated to GSM-7 (its translators opted in)."""
    return [
        ProgramRow(program, tuple(code for code in catalogs.locales if transliterates(program, catalogs, code)))
        for program in programs
    ]


@dataclass(frozen=True, slots=True)
class ProgramCost:
    """What one reply costs a program, as the overview shows it."""

    program: str
    policy: str
    encoding: str
    segments: int
    over_budget: bool


@dataclass
class Cell:
    status: str  # translated | fuzzy | missing
    chunks: list[tuple[str, bool]] = field(default_factory=list)  # (text, forces UCS-2)
    costs: list[ProgramCost] = field(default_factory=list)


def is_rtl(locale: str) -> bool:
    """Whether a locale's script runs right to left."""
    return Locale.parse(locale).character_order == "right-to-left"


def _parts(catalogs: Catalogs, intent: Intent, topic: str | None) -> list[tuple[str, str]]:
    content = catalogs.content
    if topic:
        entry = content.topic(topic)
        keys = [(topic, entry.keywords), (topic, entry.summary)]
    elif intent == REFERRAL_ROW:
        keys = []
    else:
        keys = [(key, content.messages[key]) for key in MESSAGE_PARTS[intent]]
        if intent == Intent.MENU:
            keys += [(t.id, t.keywords) for t in content.topics]
    return keys + [(key, content.messages[key]) for key in REFERRAL_KEYS]


def status(catalogs: Catalogs, locale: str, parts: list[tuple[str, str]]) -> str:
    """translated, fuzzy (some part awaits a translator's approval) or missing."""
    if locale == SOURCE_LOCALE:
        return "translated"
    found = [catalogs.sources[locale].get(msgid, context=context) for context, msgid in parts]
    present = [message for message in found if message is not None and message.string]
    if len(present) < len(found):
        return "missing"
    return "fuzzy" if any(message.fuzzy for message in present) else "translated"


def highlight(text: str) -> list[tuple[str, bool]]:
    """The text in chunks, marking the few characters that force an otherwise GSM-7 message into UCS-2.

    Text in a script GSM-7 lacks altogether (Arabic, Hindi) is not marked: every letter would be.
    """
    forcing = set(segments.forcing_ucs2(text))
    clusters = GRAPHEME.findall(text)
    if not forcing or sum(cluster in forcing for cluster in clusters) > MAX_MARKED_SHARE * len(clusters):
        return [(text, False)]
    chunks: list[tuple[str, bool]] = []
    for cluster in clusters:  # whole clusters, so marks never split a letter from its accent
        marked = cluster in forcing
        if chunks and chunks[-1][1] == marked:
            chunks[-1] = (chunks[-1][0] + cluster, marked)
        else:
            chunks.append((cluster, marked))
    return chunks


def cell(catalogs: Catalogs, locale: str, intent, topic: str | None, programs: tuple[Program, ...]) -> Cell:
    """One reply in one locale: its status, its exact text, its cost under each program."""
    result = Cell(status(catalogs, locale, _parts(catalogs, intent, topic)))
    if result.status != "translated":
        return result
    for program in programs:
        if intent == REFERRAL_ROW:
            text = referral(catalogs.serving(program.translations), locale, program) or ""
            cost = segments.count(text)
        else:
            text, _, cost = render(catalogs=catalogs, intent=intent, topic=topic, locale=locale, program=program)
        result.costs.append(
            ProgramCost(
                program.name,
                program.encoding,
                cost.encoding,
                cost.segments,
                cost.segments > budget(getattr(intent, "value", intent), cost.encoding),
            )
        )
        if program is programs[0]:
            result.chunks = highlight(text)
    return result


def reply_matrix(catalogs: Catalogs, programs: tuple[Program, ...]) -> dict[str, dict[str, Cell]]:
    """row label -> locale -> cell, for every reply the line can send."""
    rows = [*replies(catalogs.content), (REFERRAL_ROW, REFERRAL_ROW, None)]
    return {
        label: {locale: cell(catalogs, locale, intent, topic, programs) for locale in catalogs.locales}
        for label, intent, topic in rows
    }


@dataclass(frozen=True, slots=True)
class LocaleSummary:
    locale: str
    name: str
    rtl: bool
    stats: LocaleStats
    last_change: CatalogVersion | None


def locale_summaries(catalogs: Catalogs, history: list[CatalogVersion]) -> list[LocaleSummary]:
    """Per locale: review status, counts, the last change made through the admin."""
    newest = {}
    for version in reversed(history):
        newest[version.locale] = version
    return [
        LocaleSummary(
            locale,
            Locale.parse(locale).language_name or locale,  # Babel may lack a name for a locale in itself
            is_rtl(locale),
            locale_stats(catalogs.sources[locale], locale),
            newest.get(locale),
        )
        for locale in catalogs.locales
        if locale != SOURCE_LOCALE
    ]
