"""Folding texts and keywords to one comparable form."""

from __future__ import annotations

import regex
import unicodedata

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
# Long texts are personal questions, not keywords; folding a 20,000-character
# body in full would only cost time.
MAX_FOLDED_CHARS = 480


def _strip_latin_accents(text: str) -> str:
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept and ord(kept[-1]) <= _LATIN_END:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def fold(text: str) -> str:
    """Upper-case, accent-free (for Latin letters), compatibility-normalized text."""
    text = unicodedata.normalize("NFKC", text[:MAX_FOLDED_CHARS])
    return _strip_latin_accents(text).translate(_STROKED).upper()


def words(text: str) -> list[str]:
    """The folded words of a text; punctuation, symbols and spacing are separators."""
    return [word for word in _NON_WORD.split(fold(text)) if word]


def keyword_key(keyword: str) -> str:
    """The form a keyword is stored under: folded, separators removed (HER-2 -> HER2)."""
    return "".join(words(keyword))
