"""What an inbound text means: a topic, a command, or nothing the line knows.

match_command() tries each rule of RULES in order; the first that finds a meaning wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from service.core.keywords import KeywordIndex
from service.core.normalize import UNSPACED, Folded, folded_forms
from service.core.opt_out import short_stop, stop_phrase, whole_opt_word
from service.core.types import Command, Intent

# Typo matching looks only at short texts: in a long one, some ordinary word is
# always two letters away from some keyword.
FUZZY_MAX_WORDS = 6
FUZZY_MIN_WORD = 4
# HELP please, SPANISH please: a command word in a text this short is a command.
SHORT_TEXT_WORDS = 4
# Keywords of up to this many words are found inside a text (LIEU PHAP HORMONE).
MAX_KEYWORD_WORDS = 3


def _spellings(key: str) -> Iterator[str]:
    """The word itself, then its singular or plural (GOAL / GOALS, SURGERIES / SURGERY)."""
    yield key
    if key.endswith("IES"):
        yield key[:-3] + "Y"
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
                yield "".join(found[position : position + size])


def _is(index: KeywordIndex, word: str, intent: Intent) -> bool:
    return word in index.commands and index.commands[word].intent == intent


def by_number(text: Folded, index: KeywordIndex) -> Command | None:
    return Command(Intent.TOPIC, index.numbers[text.joined]) if text.joined in index.numbers else None


def whole_keyword(text: Folded, index: KeywordIndex) -> Command | None:
    opt_word = whole_opt_word(text, index.opt_out)
    if opt_word is not None:
        return opt_word
    for whole in (text.joined, "".join(text.contracted)):
        if whole in index.commands:
            return index.commands[whole].command()
    if text.joined in index.languages and text.joined not in index.not_alone:
        return Command(Intent.LANGUAGE_SET, locale=index.languages[text.joined])
    return None


def language_choice(text: Folded, index: KeywordIndex) -> Command | None:
    """LANG ES, LANGUAGE SPANISH: a language word followed by a language."""
    found = text.words
    if len(found) < 2 or not _is(index, found[0], Intent.LANGUAGE):
        return None
    choice = "".join(found[1:])
    return Command(Intent.LANGUAGE_SET, locale=index.languages[choice]) if choice in index.languages else None


def exact_topic(text: Folded, index: KeywordIndex) -> Command | None:
    for candidate in _candidates(text.words):
        for spelling in _spellings(candidate):
            if spelling in index.topics:
                return index.topics[spelling].command()
    return unspaced_topic(text, index)


def unspaced_topic(text: Folded, index: KeywordIndex) -> Command | None:
    """A keyword inside a run of Chinese text, which has no spaces between words (我想了解手术)."""
    joined = text.joined
    if not UNSPACED.search(joined):  # every such keyword has a letter of those scripts; most texts have none
        return None
    hits = [(joined.find(key), -len(key), key) for key in index.unspaced_keys if key in joined]
    return index.topics[min(hits)[2]].command() if hits else None


def fuzzy_topic(text: Folded, index: KeywordIndex) -> Command | None:
    """A topic keyword one or two letters off. A guess says nothing of her language."""
    if len(text.words) > FUZZY_MAX_WORDS:
        return None
    # Imported here: most texts are exact keywords, and a worker that never
    # meets a typo need not carry the library.
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    best: dict[int, set[str]] = {}
    for word in text.words:
        if len(word) < FUZZY_MIN_WORD:
            continue
        for key, distance, _ in process.extract(
            word, index.fuzzy_keys, scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            topic = index.topics[key].topic  # always set in the topic index; a key without one is no guess
            if topic is not None and distance <= index.allowed_typos(key):
                best.setdefault(distance, set()).add(topic)
    closest = best[min(best)] if best else set()
    return Command(Intent.TOPIC, next(iter(closest))) if len(closest) == 1 else None


def short_command(text: Folded, index: KeywordIndex) -> Command | None:
    """HELP please, SPANISH please: a command word or language name in a short text."""
    if len(text.words) > SHORT_TEXT_WORDS:
        return None
    for word in text.words:
        if word in index.commands and index.commands[word].intent in (Intent.HELP, Intent.MENU, Intent.LANGUAGE):
            return index.commands[word].command()
        if word in index.languages and word not in index.not_alone and len(word) > 2:
            return Command(Intent.LANGUAGE_SET, locale=index.languages[word])
    return None


def _stop_phrase(text: Folded, index: KeywordIndex) -> Command | None:
    """A stop phrase anywhere in the text (core/opt_out.py)."""
    return stop_phrase(text, index.opt_out)


def _short_stop(text: Folded, index: KeywordIndex) -> Command | None:
    """A stop word with nothing but fillers beside it (core/opt_out.py)."""
    return short_stop(text, index.opt_out)


# Order matters: a number or a whole keyword is unambiguous; a clear stop
# phrase beats a topic; a topic beats a lone stop word ("stop chemo?" asks
# about chemo: STOP alone still opts out); topics beat help and language words.
RULES: tuple[Callable[[Folded, KeywordIndex], Command | None], ...] = (
    by_number,
    whole_keyword,
    language_choice,
    _stop_phrase,
    exact_topic,
    _short_stop,
    fuzzy_topic,
    short_command,
)


def match_command(text: str, index: KeywordIndex) -> Command:
    """The command a text asks for; Intent.UNKNOWN when it asks for nothing the line knows."""
    folded = folded_forms(text)
    for rule in RULES:
        command = rule(folded, index)
        if command is not None:
            return command
    return Command(Intent.UNKNOWN)
