"""What an inbound text means: a topic, a command, or nothing the line knows.

understand() tries each rule of RULES in order; the first that finds a meaning wins.
"""

from __future__ import annotations

from typing import Callable, Iterator

from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.catalogs import SOURCE_LOCALE
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
# Keywords of up to this many words are found inside a text (LIEU PHAP HORMONE).
MAX_KEYWORD_WORDS = 3


def _command(meaning: Meaning, *, whole: bool = False) -> Command:
    # An English word is everyone's word (HER2, STOP): it says nothing of her language.
    locales = frozenset() if SOURCE_LOCALE in meaning.locales else meaning.locales
    return Command(meaning.intent, meaning.topic, whole=whole, locales=locales)


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
    """Each word in order, then it joined to the next one or two (HER 2 -> HER2, PHAU THUAT -> PHAUTHUAT)."""
    for position in range(len(found)):
        for size in range(1, MAX_KEYWORD_WORDS + 1):
            if position + size <= len(found):
                yield "".join(found[position:position + size])


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


def stop_phrase(found: list[str], index: KeywordIndex) -> Command | None:
    """PLEASE STOP TEXTING ME: a phrase that clearly asks to stop, anywhere in a text."""
    for phrase, meaning in index.phrases:
        size = len(phrase)
        if any(tuple(found[at:at + size]) == phrase for at in range(len(found) - size + 1)):
            return _command(meaning)
    return None


def short_stop(found: list[str], index: KeywordIndex) -> Command | None:
    """STOP PLEASE: an opt-out word in a short text that names no topic."""
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
    return unspaced_topic(found, index)


def unspaced_topic(found: list[str], index: KeywordIndex) -> Command | None:
    """A keyword inside a run of Chinese text, which has no spaces between words (我想了解手术)."""
    text = "".join(found)
    hits = [(text.find(key), -len(key), key) for key in index.unspaced_keys if key in text]
    return _command(index.topics[min(hits)[2]]) if hits else None


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


# Order matters: a number or a whole keyword is unambiguous; a clear stop
# phrase beats a topic; a topic beats a lone stop word ("stop chemo?" asks
# about chemo: STOP alone still opts out); topics beat help and language words.
RULES: tuple[Callable[[list[str], KeywordIndex], Command | None], ...] = (
    by_number, whole_keyword, language_choice, stop_phrase, exact_topic, short_stop, fuzzy_topic, short_command,
)


def understand(text: str, index: KeywordIndex) -> Command:
    """The command a text asks for; Intent.UNKNOWN when it asks for nothing the line knows."""
    found = words(text)
    for rule in RULES:
        command = rule(found, index)
        if command is not None:
            return command
    return Command(Intent.UNKNOWN)
