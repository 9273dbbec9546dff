"""Folding texts and keywords to one comparable form."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

# Latin letters end here; marks after them are accents a patient may or may not
# type (CIRUGÍA / CIRUGIA). Marks in other scripts (Devanagari vowel signs) are
# part of the word and must stay.
_LATIN_END = 0x024F
# Letters, marks and digits make words. Python's \w leaves out spacing vowel
# signs, which would cut Hindi words (हार्मोन) in pieces.
_NON_WORD = regex.compile(r"[^\p{L}\p{M}\p{N}]+")
# Latin letters whose stroke is not a combining mark, so NFD leaves them whole:
# Vietnamese patients type D for Đ.
_STROKED = str.maketrans({"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Ħ": "H", "ħ": "h"})
# DON'T TEXT ME: an apostrophe inside a word joins it (DONT), as patients also type it.
_INNER_APOSTROPHE = regex.compile(r"(?<=\p{L})['’ʼ](?=\p{L})")
# Long texts are personal questions, not keywords; folding a 20,000-character
# body in full would only cost time.
MAX_FOLDED_CHARS = 480
UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")


@dataclass(frozen=True, slots=True)
class Folded:
    """A text's words in the forms keywords are matched in."""

    words: list[str]  # apostrophes separate: L'HORMONOTHERAPIE -> L, HORMONOTHERAPIE
    contracted: list[str]  # apostrophes join: DON'T -> DONT
    # With their accents, as stop and start words are matched: Đúng is not DỪNG.
    exact: list[str]
    exact_contracted: list[str]

    @property
    def joined(self) -> str:
        return "".join(self.words)


def _strip_latin_accents(text: str) -> str:
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept and ord(kept[-1]) <= _LATIN_END:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _ascii_digits(text: str) -> str:
    # Arabic-Indic (٣) and Devanagari (३) digits answer the menu like 3 does.
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def fold(text: str, *, keep_accents: bool = False) -> str:
    """Upper-case, compatibility-normalized text with ASCII digits; accent-free (for Latin letters)
    unless keep_accents, as stop and start words are matched: folded, Vietnamese Đúng ("right")
    and Huy (a name) would read as the stop words DỪNG and HỦY."""
    text = _ascii_digits(unicodedata.normalize("NFKC", text[:MAX_FOLDED_CHARS]))
    if keep_accents:
        return text.upper()
    return _strip_latin_accents(text).translate(_STROKED).upper()


def words(text: str, *, join_apostrophes: bool = False, keep_accents: bool = False) -> list[str]:
    """The folded words of a text; punctuation, symbols and spacing are separators.

    Apostrophes separate by default (L'HORMONOTHERAPIE finds HORMONOTHERAPIE);
    joined, they let DON'T match the phrase DONT TEXT.
    """
    folded = fold(text, keep_accents=keep_accents)
    if join_apostrophes:
        folded = _INNER_APOSTROPHE.sub("", folded)
    return [word for word in _NON_WORD.split(folded) if word]


def strip_accents(word: str) -> str:
    """A word folded with its accents kept, folded the rest of the way (DỪNG -> DUNG)."""
    return _strip_latin_accents(word).translate(_STROKED)


def keyword_key(keyword: str, *, keep_accents: bool = False) -> str:
    """The form a keyword is stored under: folded, separators removed (HER-2 -> HER2)."""
    return "".join(words(keyword, keep_accents=keep_accents))


def folded_forms(text: str) -> Folded:
    """A text's words, with and without accents, apostrophes separating and joining."""
    exact = words(text, keep_accents=True)
    exact_contracted = words(text, join_apostrophes=True, keep_accents=True)
    # Folding a word the rest of the way is folding it: two passes over the text, not four.
    return Folded(
        [strip_accents(word) for word in exact],
        [strip_accents(word) for word in exact_contracted],
        exact,
        exact_contracted,
    )


def is_unspaced(key: str) -> bool:
    """Whether a keyword is written in a script without spaces between words (Han, Kana, Thai)."""
    return any(UNSPACED.match(char) for char in key)
