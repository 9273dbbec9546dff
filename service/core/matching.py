"""What an inbound text means: a topic, a command, or nothing the line knows."""

from __future__ import annotations

from typing import Iterator

from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.core.keywords import KeywordIndex, Meaning
from service.core.normalize import words
from service.core.types import Command, Intent

# Typo matching looks only at short texts: in a long one, some ordinary word is
# always two letters away from some keyword.
FUZZY_MAX_WORDS = 6
FUZZY_MIN_WORD = 4


def _command(meaning: Meaning) -> Command:
    only = next(iter(meaning.locales)) if len(meaning.locales) == 1 else None
    return Command(meaning.intent, meaning.topic, only)


def _spellings(key: str) -> Iterator[str]:
    """The word itself, then its singular or plural (GOAL / GOALS, HORMONES / HORMONE)."""
    yield key
    if key.endswith("ES"):
        yield key[:-2]
    if key.endswith("S"):
        yield key[:-1]
    else:
        yield key + "S"


def _candidates(found: list[str]) -> Iterator[str]:
    """Each word in order, each followed by it joined to the next (HER 2 -> HER2)."""
    for position, word in enumerate(found):
        yield word
        if position + 1 < len(found):
            yield word + found[position + 1]


def _exact_topic(found: list[str], index: KeywordIndex) -> Meaning | None:
    for candidate in _candidates(found):
        for spelling in _spellings(candidate):
            if spelling in index.topics:
                return index.topics[spelling]
    return None


def _fuzzy_topic(found: list[str], index: KeywordIndex) -> Meaning | None:
    best: dict[int, set[Meaning]] = {}
    for word in found:
        if len(word) < FUZZY_MIN_WORD:
            continue
        for key, distance, _ in process.extract(
            word, list(index.topics), scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            if distance <= index.allowed_typos(key):
                best.setdefault(distance, set()).add(index.topics[key])
    if not best:
        return None
    closest = best[min(best)]
    topics = {meaning.topic for meaning in closest}
    return next(iter(closest)) if len(topics) == 1 else None


def understand(text: str, index: KeywordIndex) -> Command:
    """The command a text asks for; Intent.UNKNOWN when it asks for nothing the line knows."""
    found = words(text)
    whole = "".join(found)
    if whole in index.numbers:
        return Command(Intent.TOPIC, index.numbers[whole])
    if whole in index.commands:
        return _command(index.commands[whole])
    meaning = _exact_topic(found, index)
    if meaning is None and len(found) <= FUZZY_MAX_WORDS:
        meaning = _fuzzy_topic(found, index)
    if meaning is None:
        meaning = next((index.commands[word] for word in found if word in index.commands), None)
    return _command(meaning) if meaning else Command(Intent.UNKNOWN)
