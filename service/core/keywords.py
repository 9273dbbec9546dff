"""The keyword index: every locale's words for every topic and command, from the catalogs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from service.catalogs import Catalogs
from service.content import split_keywords
from service.core.meaning import Entry, Meaning, listed_words, meanings_by_key
from service.core.normalize import is_unspaced, keyword_key, words
from service.core.opt_out import OptOutWords, build_opt_out_words
from service.core.types import Intent

# Which catalog message holds each command's words. Adding a command's words is
# adding a row here and an entry in content/messages.toml.
COMMAND_WORDS: Mapping[Intent, str] = {
    Intent.MENU: "menu_keywords",
    Intent.HELP: "help_keywords",
    Intent.LANGUAGE: "language_keywords",
}
# The words that change whether she hears from the line at all are the opt-out policy's: core/opt_out.py.
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
# Typo tolerance: how many letters may be off, by keyword length. Shorter
# keywords (HER2, STOP) must match exactly: one letter off is another word.
FUZZY_MIN_LENGTH = 5
TWO_OFF_MIN_LENGTH = 7


@dataclass(frozen=True, slots=True, eq=False)
class KeywordIndex:
    topics: Mapping[str, Meaning]
    commands: Mapping[str, Meaning]
    opt_out: OptOutWords  # stop and start words, stop phrases, fillers
    languages: Mapping[str, str]  # folded code or name -> locale
    numbers: Mapping[str, str]
    fuzzy_keys: tuple[str, ...]
    unspaced_keys: tuple[str, ...]
    not_alone: frozenset[str]  # language names that alone are everyday words, not a choice

    @staticmethod
    def allowed_typos(key: str) -> int:
        """How many letters a word may be off from this keyword and still match it."""
        if len(key) >= TWO_OFF_MIN_LENGTH:
            return 2
        return 1 if len(key) >= FUZZY_MIN_LENGTH else 0


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


def topic_entries(catalogs: Catalogs, locale: str) -> Iterator[Entry]:
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


def command_entries(catalogs: Catalogs, locale: str) -> Iterator[Entry]:
    for intent, message_key in COMMAND_WORDS.items():
        for word in listed_words(catalogs, locale, message_key):
            yield keyword_key(word), intent, None, locale


def build_index(catalogs: Catalogs) -> KeywordIndex:
    """Index every served keyword of every locale."""
    topic_words: list[Entry] = []
    command_words: list[Entry] = []
    for locale in catalogs.locales:
        topic_words.extend(topic_entries(catalogs, locale))
        command_words.extend(command_entries(catalogs, locale))
    topics, several = meanings_by_key(topic_words), _several_words(catalogs)
    languages = {keyword_key(name): locale for locale in catalogs.locales for name in language_names(locale) if name}
    return KeywordIndex(
        topics=topics,
        commands=meanings_by_key(command_words),
        opt_out=build_opt_out_words(catalogs),
        languages=languages,
        numbers={str(topic.number): topic.id for topic in catalogs.content.topics},
        fuzzy_keys=tuple(
            key for key in topics if KeywordIndex.allowed_typos(key) and not is_unspaced(key) and key not in several
        ),
        unspaced_keys=tuple(key for key in topics if is_unspaced(key)),
        not_alone=NOT_ALONE
        | (
            languages.keys()
            & {keyword_key(word) for locale in catalogs.locales for word in listed_words(catalogs, locale, EVERYDAY)}
        ),
    )
