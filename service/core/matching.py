"""What an inbound text means: a topic, a command, or nothing the line knows.

understand() tries each rule of RULES in order; the first that finds a meaning wins.
"""

from __future__ import annotations

from typing import Callable, Iterator

from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.core.keywords import NOT_ALONE, KeywordIndex, Meaning
from service.core.normalize import words
from service.core.types import Command, Intent

# Typo matching looks only at short texts: in a long one, some ordinary word is
# always two letters away from some keyword.
FUZZY_MAX_WORDS = 6
FUZZY_MIN_WORD = 4
# "please stop", "STOP now!": a command word counts in a text this short; in a
# longer one ("how do I stop the pain") it is just a word.
SHORT_TEXT_WORDS = 3


def _command(meaning: Meaning, *, whole: bool = False) -> Command:
    only = next(iter(meaning.locales)) if len(meaning.locales) == 1 else None
    return Command(meaning.intent, meaning.topic, only, whole)


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


def by_number(found: list[str], index: KeywordIndex) -> Command | None:
    whole = "".join(found)
    return Command(Intent.TOPIC, index.numbers[whole]) if whole in index.numbers else None


def whole_keyword(found: list[str], index: KeywordIndex) -> Command | None:
    whole = "".join(found)
    if whole in index.commands:
        return _command(index.commands[whole], whole=True)
    if whole in index.languages and whole not in NOT_ALONE:
        return Command(Intent.LANGUAGE_SET, locale=index.languages[whole], whole=True)
    return None


def language_choice(found: list[str], index: KeywordIndex) -> Command | None:
    """LANG ES, LANGUAGE SPANISH: a language word followed by a language."""
    asks = len(found) >= 2 and found[0] in index.commands and index.commands[found[0]].intent == Intent.LANGUAGE
    if not asks:
        return None
    choice = "".join(found[1:])
    return Command(Intent.LANGUAGE_SET, locale=index.languages[choice]) if choice in index.languages else None


def opt_out(found: list[str], index: KeywordIndex) -> Command | None:
    for phrase, meaning in index.phrases:
        size = len(phrase)
        if any(tuple(found[at:at + size]) == phrase for at in range(len(found) - size + 1)):
            return _command(meaning)
    if len(found) <= SHORT_TEXT_WORDS:
        for word in found:
            meaning = index.commands.get(word)
            if meaning and meaning.intent == Intent.STOP:
                return _command(meaning)
    return None


def exact_topic(found: list[str], index: KeywordIndex) -> Command | None:
    for candidate in _candidates(found):
        for spelling in _spellings(candidate):
            if spelling in index.topics:
                return _command(index.topics[spelling])
    return None


def fuzzy_topic(found: list[str], index: KeywordIndex) -> Command | None:
    if len(found) > FUZZY_MAX_WORDS:
        return None
    best: dict[int, set[Meaning]] = {}
    for word in found:
        if len(word) < FUZZY_MIN_WORD:
            continue
        for key, distance, _ in process.extract(word, index.fuzzy_keys, scorer=OSA.distance, score_cutoff=2, limit=None):
            if distance <= index.allowed_typos(key):
                best.setdefault(distance, set()).add(index.topics[key])
    closest = best[min(best)] if best else set()
    return _command(next(iter(closest))) if len({meaning.topic for meaning in closest}) == 1 else None


def short_command(found: list[str], index: KeywordIndex) -> Command | None:
    """HELP please, SPANISH please: a command word or language name in a short text."""
    if len(found) > SHORT_TEXT_WORDS:
        return None
    for word in found:
        if word in index.commands and index.commands[word].intent in (Intent.HELP, Intent.MENU, Intent.LANGUAGE):
            return _command(index.commands[word])
        if word in index.languages and word not in NOT_ALONE and len(word) > 2:
            return Command(Intent.LANGUAGE_SET, locale=index.languages[word])
    return None


# Order matters: a number or a whole keyword is unambiguous; opting out beats
# a topic ("stop HER2"); a topic beats help and language words in a sentence.
RULES: tuple[Callable[[list[str], KeywordIndex], Command | None], ...] = (
    by_number, whole_keyword, language_choice, opt_out, exact_topic, fuzzy_topic, short_command,
)


def understand(text: str, index: KeywordIndex) -> Command:
    """The command a text asks for; Intent.UNKNOWN when it asks for nothing the line knows."""
    found = words(text)
    for rule in RULES:
        command = rule(found, index)
        if command is not None:
            return command
    return Command(Intent.UNKNOWN)
