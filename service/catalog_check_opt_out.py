"""The catalog check's opt-out part: no everyday word opts anyone out or in (the policy: core/opt_out.py).

What patients type is matched against every language's stop and start words at once, so a word safe in
one language can be another's everyday word.
"""

from __future__ import annotations

from service.catalogs import Catalogs, never_transliterated
from service.content import split_keywords
from service.core.keywords import EVERYDAY, KeywordIndex
from service.core.matching import match_command
from service.core.normalize import keyword_key, strip_accents, words
from service.core.opt_out import OPT_WORDS, PHRASES
from service.core.types import Intent

# What an everyday word must never be read as: it would opt her out or in, or change her language.
STATE_CHANGING = frozenset({Intent.STOP, Intent.START, Intent.LANGUAGE_SET})


def _misread(text: str, locale: str, index: KeywordIndex) -> str | None:
    """What the line would wrongly read a text of this locale as (None: nothing that changes her state)."""
    command = match_command(text, index)
    switches = bool(command.locales) and locale not in command.locales
    if command.intent not in STATE_CHANGING and not switches:
        return None
    return command.intent.value + (" of " + ", ".join(sorted(command.locales)) if switches else "")


def everyday_word_problems(catalogs: Catalogs, index: KeywordIndex) -> list[str]:
    """Everyday words (yes, thanks, a common name, "what is") of a language that the line would read, alone
    or before a topic's keyword, as an opt-out, an opt-in, a choice of language, or another language's
    keyword: a stop phrase WHAT IS would opt out everyone who asks "what is HER2?"."""
    problems = []
    for locale in catalogs.locales:
        keywords = [
            first
            for topic in catalogs.content.topics
            for first in split_keywords(catalogs.lookup(locale, topic.id, topic.keywords) or "")[:1]
        ]
        for word in split_keywords(catalogs.message(locale, EVERYDAY) or ""):
            misread = _misread(word, locale, index)
            if misread:
                problems.append(f"{locale}: the everyday word {word!r} would be read as {misread}")
            opting = next(
                (
                    f"{word} {keyword}"
                    for keyword in keywords
                    if match_command(f"{word} {keyword}", index).intent in (Intent.STOP, Intent.START)
                ),
                None,
            )
            if opting:
                problems.append(f"{locale}: {opting!r} would be read as an opt-out or opt-in")
    return problems


def ordinary_text_problems(catalogs: Catalogs, index: KeywordIndex) -> list[str]:
    """What patients text (content/ordinary_texts.toml, shipped with the code) that the line would read as an
    opt-out or opt-in, a choice of language, or a keyword that switches her language: whatever stop word,
    phrase or filler a catalog adds, "I have pain" and "stop taking my meds?" stay questions."""
    return [
        f"{locale}: {text!r}, as patients text it, would be read as {misread}"
        for locale, texts in catalogs.content.ordinary.items()
        for text in texts
        if (misread := _misread(text, locale, index))
    ]


def unaccented_twin_problems(catalogs: Catalogs) -> list[str]:
    """Stop and start words are matched as written, and most patients type no accents: ARRÊT needs ARRET
    beside it, unless the bare form is an everyday word (then it must not be one) or the language's
    diacritics carry its meaning (Vietnamese: the bare forms are other words)."""
    everyday = {
        keyword_key(word)
        for locale in catalogs.locales
        for word in split_keywords(catalogs.message(locale, EVERYDAY) or "")
    }
    problems = []
    for locale in catalogs.locales:
        if never_transliterated(locale):
            continue
        for key in (*OPT_WORDS.values(), *PHRASES.values()):
            written = split_keywords(catalogs.message(locale, key) or "")
            listed = {" ".join(words(word, keep_accents=True)) for word in written}
            for bare in sorted({strip_accents(form) for form in listed} - listed):
                if keyword_key(bare) not in everyday:
                    problems.append(
                        f"{locale}: {key} lists {bare!r} only with accents; most patients type none:"
                        f" list {bare!r} too (or add it to everyday_words if it is another word)"
                    )
    return problems
