"""What an inbound text means: a topic, a command, or nothing the line knows.

understand() tries each rule of RULES in order; the first that finds a meaning wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from service.catalogs import SOURCE_LOCALE
from service.core.keywords import KeywordIndex, Meaning, is_unspaced
from service.core.normalize import strip_accents, words
from service.core.types import Command, Intent

# Typo matching looks only at short texts: in a long one, some ordinary word is
# always two letters away from some keyword.
FUZZY_MAX_WORDS = 6
FUZZY_MIN_WORD = 4
# "STOP please", "QUIT now": an opt-out word with nothing but filler beside it.
# "stop the pain" or "end treatment" is a question, not an opt-out.
SHORT_TEXT_WORDS = 4
# Keywords of up to this many words are found inside a text (LIEU PHAP HORMONE).
MAX_KEYWORD_WORDS = 3


@dataclass(frozen=True, slots=True)
class Folded:
    words: list[str]  # apostrophes separate: L'HORMONOTHERAPIE -> L, HORMONOTHERAPIE
    contracted: list[str]  # apostrophes join: DON'T -> DONT
    # With their accents, as stop and start words are matched: Đúng is not DỪNG.
    exact: list[str]
    exact_contracted: list[str]

    @property
    def joined(self) -> str:
        return "".join(self.words)


def _command(meaning: Meaning, *, whole: bool = False) -> Command:
    # An English word is everyone's word (HER2, STOP): it says nothing of her language.
    locales = frozenset() if SOURCE_LOCALE in meaning.locales else meaning.locales
    return Command(meaning.intent, meaning.topic, whole=whole, locales=locales)


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


def _is_stop(index: KeywordIndex, word: str) -> bool:
    return word in index.opt_words and index.opt_words[word].intent == Intent.STOP


def by_number(text: Folded, index: KeywordIndex) -> Command | None:
    return Command(Intent.TOPIC, index.numbers[text.joined]) if text.joined in index.numbers else None


def whole_keyword(text: Folded, index: KeywordIndex) -> Command | None:
    for whole in ("".join(text.exact), "".join(text.exact_contracted)):
        if whole in index.opt_words:
            return _command(index.opt_words[whole], whole=True)
    for whole in (text.joined, "".join(text.contracted)):
        if whole in index.commands:
            return _command(index.commands[whole], whole=True)
    if text.joined in index.languages and text.joined not in index.not_alone:
        return Command(Intent.LANGUAGE_SET, locale=index.languages[text.joined], whole=True)
    return None


def language_choice(text: Folded, index: KeywordIndex) -> Command | None:
    """LANG ES, LANGUAGE SPANISH: a language word followed by a language."""
    found = text.words
    if len(found) < 2 or not _is(index, found[0], Intent.LANGUAGE):
        return None
    choice = "".join(found[1:])
    return Command(Intent.LANGUAGE_SET, locale=index.languages[choice]) if choice in index.languages else None


def stop_phrase(text: Folded, index: KeywordIndex) -> Command | None:
    """PLEASE DON'T TEXT ME: a phrase that clearly asks to stop, anywhere in a text."""
    found = text.exact_contracted
    matches = [
        (order, meaning)
        for at, word in enumerate(found)
        for order, phrase, meaning in index.phrases_by_first.get(word, ())
        if tuple(found[at : at + len(phrase)]) == phrase
    ]
    return _command(min(matches, key=lambda match: match[0])[1]) if matches else None


def short_stop(text: Folded, index: KeywordIndex) -> Command | None:
    """STOP PLEASE, 请停止: an opt-out word or phrase with nothing but filler words beside it."""
    found = text.exact_contracted
    stops = [word for word in found if _is_stop(index, word)]
    # Fillers only ever stand beside a stop word written as listed: they may be folded.
    rest = [word for word in found if word not in stops and strip_accents(word) not in index.fillers]
    if stops and not rest and len(found) <= SHORT_TEXT_WORDS:
        return _command(index.opt_words[stops[0]])
    if len(found) == 1 and is_unspaced(found[0]):
        bare = found[0]
        for filler in index.fillers_longest_first:
            bare = bare.replace(filler, "")
        meaning = index.opt_words.get(bare) if _is_stop(index, bare) else index.joined_phrases.get(bare)
        return _command(meaning) if meaning else None
    return None


def exact_topic(text: Folded, index: KeywordIndex) -> Command | None:
    for candidate in _candidates(text.words):
        for spelling in _spellings(candidate):
            if spelling in index.topics:
                return _command(index.topics[spelling])
    return unspaced_topic(text, index)


def unspaced_topic(text: Folded, index: KeywordIndex) -> Command | None:
    """A keyword inside a run of Chinese text, which has no spaces between words (我想了解手术)."""
    hits = [(text.joined.find(key), -len(key), key) for key in index.unspaced_keys if key in text.joined]
    return _command(index.topics[min(hits)[2]]) if hits else None


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
            if distance <= index.allowed_typos(key):
                best.setdefault(distance, set()).add(index.topics[key].topic)
    closest = best[min(best)] if best else set()
    return Command(Intent.TOPIC, next(iter(closest))) if len(closest) == 1 else None


def short_command(text: Folded, index: KeywordIndex) -> Command | None:
    """HELP please, SPANISH please: a command word or language name in a short text."""
    if len(text.words) > SHORT_TEXT_WORDS:
        return None
    for word in text.words:
        if word in index.commands and index.commands[word].intent in (Intent.HELP, Intent.MENU, Intent.LANGUAGE):
            return _command(index.commands[word])
        if word in index.languages and word not in index.not_alone and len(word) > 2:
            return Command(Intent.LANGUAGE_SET, locale=index.languages[word])
    return None


# Order matters: a number or a whole keyword is unambiguous; a clear stop
# phrase beats a topic; a topic beats a lone stop word ("stop chemo?" asks
# about chemo: STOP alone still opts out); topics beat help and language words.
RULES: tuple[Callable[[Folded, KeywordIndex], Command | None], ...] = (
    by_number,
    whole_keyword,
    language_choice,
    stop_phrase,
    exact_topic,
    short_stop,
    fuzzy_topic,
    short_command,
)


def understand(text: str, index: KeywordIndex) -> Command:
    """The command a text asks for; Intent.UNKNOWN when it asks for nothing the line knows."""
    exact = words(text, keep_accents=True)
    exact_contracted = words(text, join_apostrophes=True, keep_accents=True)
    # Folding a word the rest of the way is folding it: two passes over the text, not four.
    folded = Folded(
        [strip_accents(word) for word in exact],
        [strip_accents(word) for word in exact_contracted],
        exact,
        exact_contracted,
    )
    for rule in RULES:
        command = rule(folded, index)
        if command is not None:
            return command
    return Command(Intent.UNKNOWN)
