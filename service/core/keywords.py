"""The keyword index: every locale's words for every topic and command, from the catalogs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import regex
from babel import Locale, UnknownLocaleError

from service.catalogs import Catalogs
from service.content import split_keywords
from service.core.normalize import keyword_key, words
from service.core.types import Intent

# Which catalog message holds each command's words. Adding a command's words is
# adding a row here and an entry in content/messages.toml.
COMMAND_WORDS: Mapping[Intent, str] = {
    Intent.MENU: "menu_keywords",
    Intent.HELP: "help_keywords",
    Intent.LANGUAGE: "language_keywords",
}
# The words that change whether she hears from the line at all: matched with their
# accents as written (normalize.fold), since folded some are everyday words.
OPT_WORDS: Mapping[Intent, str] = {
    Intent.STOP: "stop_keywords",
    Intent.START: "start_keywords",
}
PHRASES: Mapping[Intent, str] = {Intent.STOP: "stop_phrases"}
# Words that may stand beside a stop word without changing its meaning (STOP PLEASE).
FILLERS = "filler_words"
# Other names people use for a language than Babel's native and English names.
LANGUAGE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "tl": ("TAGALOG",),
    "zh": ("MANDARIN", "CHINESE", "普通话", "汉语", "漢語", "國語", "华语", "華語"),
    "hi": ("हिंदी",),
    "ar": ("عربي", "عربى"),
}
# The line's languages, named as CLDR names them. Loading CLDR's data for ten
# locales costs a worker 11 MiB; a language not listed here is named by Babel.
LANGUAGE_NAMES: Mapping[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "es": ("español", "Spanish"),
    "fr": ("français", "French"),
    "pt": ("português", "Portuguese"),
    "sw": ("Kiswahili", "Swahili"),
    "ar": ("العربية", "Arabic"),
    "hi": ("हिन्दी", "Hindi"),
    "zh": ("中文", "Chinese"),
    "vi": ("Tiếng Việt", "Vietnamese"),
    "tl": ("Filipino", "Filipino"),
}
# Language codes that are also everyday words: alone they are not a choice
# ("HI" is a greeting), but "LANG HI" and "HINDI" are. Every language's everyday_words
# join them (Tagalog HINDI is "no").
NOT_ALONE = frozenset({"HI"})
EVERYDAY = "everyday_words"
UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
# Typo tolerance: how many letters may be off, by keyword length. Shorter
# keywords (HER2, STOP) must match exactly: one letter off is another word.
FUZZY_MIN_LENGTH = 5
TWO_OFF_MIN_LENGTH = 7


@dataclass(frozen=True, slots=True)
class Meaning:
    intent: Intent
    topic: str | None
    locales: frozenset[str]


@dataclass(frozen=True, slots=True, eq=False)
class KeywordIndex:
    topics: Mapping[str, Meaning]
    commands: Mapping[str, Meaning]
    opt_words: Mapping[str, Meaning]  # stop and start words, keyed with their accents
    # Stop phrases by their first word, each with its place in the catalogs' order (the first listed wins):
    # a text's words are looked up, not every phrase tried at every word (1.5 ms for a long question).
    phrases_by_first: Mapping[str, tuple[tuple[int, tuple[str, ...], Meaning], ...]]
    joined_phrases: Mapping[str, Meaning]  # each phrase written without spaces (Chinese texts have none)
    languages: Mapping[str, str]  # folded code or name -> locale
    numbers: Mapping[str, str]
    fuzzy_keys: tuple[str, ...]
    unspaced_keys: tuple[str, ...]
    fillers: frozenset[str]
    fillers_longest_first: tuple[str, ...]
    not_alone: frozenset[str]  # language names that alone are everyday words, not a choice

    @staticmethod
    def allowed_typos(key: str) -> int:
        """How many letters a word may be off from this keyword and still match it."""
        if len(key) >= TWO_OFF_MIN_LENGTH:
            return 2
        return 1 if len(key) >= FUZZY_MIN_LENGTH else 0


def is_unspaced(key: str) -> bool:
    """Whether a keyword is written in a script without spaces between words (Han, Kana, Thai)."""
    return any(UNSPACED.match(char) for char in key)


def _collect(entries: list[tuple[str, Intent, str | None, str]]) -> dict[str, Meaning]:
    locales: dict[tuple[str, Intent, str | None], set[str]] = defaultdict(set)
    for key, intent, topic, locale in entries:
        locales[(key, intent, topic)].add(locale)
    return {
        key: Meaning(intent, topic, frozenset(found))
        for (key, intent, topic), found in sorted(locales.items(), key=lambda item: item[0][0])
    }


def _served_words(catalogs: Catalogs, locale: str, key: str) -> list[str]:
    return split_keywords(catalogs.message(locale, key) or "")


def native_and_english_name(locale: str) -> tuple[str, str]:
    """A language's name in itself and in English: from the table, else from Babel's CLDR data."""
    if locale in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[locale]
    try:
        babel_locale = Locale.parse(locale)
        return babel_locale.language_name or locale, babel_locale.get_language_name("en") or locale
    except (UnknownLocaleError, ValueError):
        return locale, locale


def language_names(locale: str) -> Iterator[str]:
    """The code, native name, English name and aliases a patient may text for a locale."""
    yield locale
    yield from native_and_english_name(locale)
    yield from LANGUAGE_ALIASES.get(locale, ())


def _topic_words(catalogs: Catalogs, locale: str) -> Iterator[tuple[str, str]]:
    for topic in catalogs.content.topics:
        for word in split_keywords(catalogs.lookup(locale, topic.id, topic.keywords) or ""):
            yield word, topic.id


def topic_entries(catalogs: Catalogs, locale: str) -> Iterator[tuple[str, Intent, str | None, str]]:
    for word, topic in _topic_words(catalogs, locale):
        yield keyword_key(word), Intent.TOPIC, topic, locale


def _several_words(catalogs: Catalogs) -> set[str]:
    """Keys of keywords written as several words (CẮT BỎ): joined, they look like one word a letter
    off others (CATBO, carbo), so they are matched exactly or not at all."""
    return {
        keyword_key(word)
        for locale in catalogs.locales
        for word, _ in _topic_words(catalogs, locale)
        if len(words(word)) > 1
    }


def command_entries(catalogs: Catalogs, locale: str) -> Iterator[tuple[str, Intent, str | None, str]]:
    for intent, message_key in COMMAND_WORDS.items():
        for word in _served_words(catalogs, locale, message_key):
            yield keyword_key(word), intent, None, locale


def opt_entries(catalogs: Catalogs, locale: str) -> Iterator[tuple[str, Intent, str | None, str]]:
    for intent, message_key in OPT_WORDS.items():
        for word in _served_words(catalogs, locale, message_key):
            yield keyword_key(word, keep_accents=True), intent, None, locale


def phrase_entries(catalogs: Catalogs, locale: str) -> Iterator[tuple[tuple[str, ...], Meaning]]:
    for intent, message_key in PHRASES.items():
        for phrase in _served_words(catalogs, locale, message_key):
            yield (
                tuple(words(phrase, join_apostrophes=True, keep_accents=True)),
                Meaning(intent, None, frozenset({locale})),
            )


def _by_first_word(phrases: list[tuple[tuple[str, ...], Meaning]]) -> dict:
    found: dict[str, list] = defaultdict(list)
    for order, (phrase, meaning) in enumerate(phrases):
        if phrase:
            found[phrase[0]].append((order, phrase, meaning))
    return {first: tuple(entries) for first, entries in found.items()}


def build_index(catalogs: Catalogs) -> KeywordIndex:
    """Index every served keyword of every locale."""
    topic_words, command_words, opt_words, phrases = [], [], [], []
    for locale in catalogs.locales:
        topic_words.extend(topic_entries(catalogs, locale))
        command_words.extend(command_entries(catalogs, locale))
        opt_words.extend(opt_entries(catalogs, locale))
        phrases.extend(phrase_entries(catalogs, locale))
    topics, several = _collect(topic_words), _several_words(catalogs)
    fillers = frozenset(
        keyword_key(word) for locale in catalogs.locales for word in _served_words(catalogs, locale, FILLERS)
    )
    languages = {keyword_key(name): locale for locale in catalogs.locales for name in language_names(locale) if name}
    return KeywordIndex(
        topics=topics,
        commands=_collect(command_words),
        opt_words=_collect(opt_words),
        phrases_by_first=_by_first_word(phrases),
        joined_phrases={"".join(phrase): meaning for phrase, meaning in phrases},
        languages=languages,
        numbers={str(topic.number): topic.id for topic in catalogs.content.topics},
        fuzzy_keys=tuple(
            key for key in topics if KeywordIndex.allowed_typos(key) and not is_unspaced(key) and key not in several
        ),
        unspaced_keys=tuple(key for key in topics if is_unspaced(key)),
        fillers=fillers,
        fillers_longest_first=tuple(sorted(fillers, key=len, reverse=True)),
        not_alone=NOT_ALONE
        | (
            languages.keys()
            & {keyword_key(word) for locale in catalogs.locales for word in _served_words(catalogs, locale, EVERYDAY)}
        ),
    )
