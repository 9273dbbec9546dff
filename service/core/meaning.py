"""What a keyword means (a topic or a command, for which languages), and the words a catalog message lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from service.catalogs import SOURCE_LOCALE, Catalogs
from service.content import split_keywords
from service.core.types import Command, Intent

Entry = tuple[str, Intent, str | None, str]  # (key, intent, topic, locale)


@dataclass(frozen=True, slots=True)
class Meaning:
    intent: Intent
    topic: str | None
    locales: frozenset[str]

    def command(self) -> Command:
        """The command a text that says this keyword asks for."""
        # An English word is everyone's word (HER2, STOP): it says nothing of her language.
        locales = frozenset() if SOURCE_LOCALE in self.locales else self.locales
        return Command(self.intent, self.topic, locales=locales)


def meanings_by_key(entries: list[Entry]) -> dict[str, Meaning]:
    """Each key's meaning, with every locale that lists it for that meaning."""
    locales: dict[tuple[str, Intent, str | None], set[str]] = defaultdict(set)
    for key, intent, topic, locale in entries:
        locales[(key, intent, topic)].add(locale)
    return {
        key: Meaning(intent, topic, frozenset(found))
        for (key, intent, topic), found in sorted(locales.items(), key=lambda item: item[0][0])
    }


def listed_words(catalogs: Catalogs, locale: str, key: str) -> list[str]:
    """The comma-separated words a catalog message lists in a locale (none when it is missing)."""
    return split_keywords(catalogs.message(locale, key) or "")
