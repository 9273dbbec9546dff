"""The keyword index: every locale's words for every topic and command, from the catalogs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping

from service.catalogs import Catalogs
from service.content import split_keywords
from service.core.normalize import keyword_key
from service.core.types import Intent

# Which catalog message holds each command's words. Adding a command's words is
# adding a row here and an entry in content/messages.toml.
COMMAND_WORDS: Mapping[Intent, str] = {
    Intent.MENU: "menu_keywords",
    Intent.HELP: "help_keywords",
}
# Typo tolerance: how many letters may be off, by keyword length. Shorter
# keywords (HER2, STOP) must match exactly: one letter off is another word.
FUZZY_MIN_LENGTH = 5
TWO_OFF_MIN_LENGTH = 7


@dataclass(frozen=True, slots=True)
class Meaning:
    intent: Intent
    topic: str | None
    locales: frozenset[str]


@dataclass(frozen=True, slots=True)
class KeywordIndex:
    topics: Mapping[str, Meaning]
    commands: Mapping[str, Meaning]
    numbers: Mapping[str, str]

    def allowed_typos(self, key: str) -> int:
        """How many letters a word may be off from this keyword and still match it."""
        if len(key) >= TWO_OFF_MIN_LENGTH:
            return 2
        return 1 if len(key) >= FUZZY_MIN_LENGTH else 0


def _collect(entries: list[tuple[str, Intent, str | None, str]]) -> dict[str, Meaning]:
    locales: dict[tuple[str, Intent, str | None], set[str]] = defaultdict(set)
    for key, intent, topic, locale in entries:
        locales[(key, intent, topic)].add(locale)
    return {
        key: Meaning(intent, topic, frozenset(found))
        for (key, intent, topic), found in locales.items()
    }


def build_index(catalogs: Catalogs) -> KeywordIndex:
    """Index every served keyword of every locale."""
    topic_entries, command_entries = [], []
    for locale in catalogs.locales:
        for topic in catalogs.content.topics:
            served = catalogs.lookup(locale, topic.id, topic.keywords)
            for word in split_keywords(served or ""):
                topic_entries.append((keyword_key(word), Intent.TOPIC, topic.id, locale))
        for intent, message_key in COMMAND_WORDS.items():
            for word in split_keywords(catalogs.message(locale, message_key) or ""):
                command_entries.append((keyword_key(word), intent, None, locale))
    numbers = {str(topic.number): topic.id for topic in catalogs.content.topics}
    return KeywordIndex(
        topics=_collect(topic_entries), commands=_collect(command_entries), numbers=numbers
    )
