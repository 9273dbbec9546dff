"""SMS segment counting, exactly as Twilio bills it, plus GSM-7 transliteration.

A message is sent as GSM-7 when every character is in the GSM 03.38 basic or
extension table, otherwise as UCS-2 (UTF-16).  A single segment holds 160
septets or 70 UTF-16 units; longer messages are split into segments of 153
septets or 67 units, because each part carries a 6-byte concatenation header.
"""

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

from service.sms_pieces import ucs2_piece_units

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 basic table in code order, 16 per row.  0x1B is ESC, the prefix of
# the extension table, not a character, so the table has 127 characters.
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as ESC + code, so each costs two septets.
_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM = _BASIC | _EXTENSION

# What no reply may hold: control characters have no place in a text message, PostgreSQL's text
# refuses NUL, and what XML 1.0 cannot carry (noncharacters, lone surrogates) would make the reply's
# TwiML unreadable to Twilio. Catalog uploads and program names and contacts are refused with one.
UNSENDABLE = regex.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)

_SINGLE_GSM, _MULTI_GSM = 160, 153
_SINGLE_UCS2, _MULTI_UCS2 = 70, 67

# Current Unicode grapheme clusters: what a reader sees as one character, for
# display (forcing_ucs2) and transliteration -- not for counting, see sms_pieces.
_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True, slots=True)
class SegmentCount:
    encoding: str  # GSM7 or UCS2
    segments: int  # 0 for the empty string
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text


def count(text: str) -> SegmentCount:
    """How many segments Twilio bills for `text`, and in which encoding."""
    if not text:
        return SegmentCount(GSM7, 0, 0)
    if _GSM.issuperset(text):
        units = len(text) + sum(map(text.count, _EXTENSION))
        if units <= _SINGLE_GSM:
            return SegmentCount(GSM7, 1, units)
        return SegmentCount(GSM7, _pack(_septets(text), _MULTI_GSM), units)
    units = _utf16_units(text)
    if units <= _SINGLE_UCS2:
        return SegmentCount(UCS2, 1, units)
    return SegmentCount(UCS2, _pack(ucs2_piece_units(text, longest=_MULTI_UCS2), _MULTI_UCS2), units)


def forcing_ucs2(text: str) -> list[str]:
    """The distinct grapheme clusters, in order of first appearance, that hold a
    character outside GSM-7.  Clusters rather than code points so that an admin
    page highlights "👍🏽" or "é" (e + U+0301) rather than an invisible mark."""
    if _GSM.issuperset(text):
        return []
    clusters = (c for c in _GRAPHEME.findall(text) if not _GSM.issuperset(c))
    return list(dict.fromkeys(clusters))


def _pack(sizes: Iterable[int], capacity: int) -> int:
    """Fill segments in order; an item that does not fit starts the next one."""
    segments, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            segments, used = segments + 1, 0
        used += size
    return segments


def _septets(text: str) -> Iterator[int]:
    # An escape pair is never split, so an extension char is one 2-septet item.
    return (2 if ch in _EXTENSION else 1 for ch in text)


def _utf16_units(text: str) -> int:
    # surrogatepass: a stray lone surrogate still counts as one unit.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- Transliteration -------------------------------------------------------
# One non-GSM character switches the whole message to UCS-2, which more than
# doubles the price (70/67 instead of 160/153 per segment).  Programs on a
# "gsm7" policy therefore trade accents and curly quotes for plain letters.

_REPLACEMENTS = {
    **dict.fromkeys("‘’‚‛′‹›´`ʼ", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−•", "-"),
    **dict.fromkeys("\u00ad\u200b\u2060\ufeff", ""),  # invisible: drop
    "…": "...",
    "·": ".",  # Catalan l·l
    "µ": "u",  # micro sign: the usual ASCII spelling, as in "ug"
    "⁄": "/",  # from the decomposition of ½ etc.
    "\t": " ",
    # Khoisan click letters have no Latin base letter to fall back on.
    "ǀ": "/",
    "ǁ": "//",
    "ǂ": "=",
    "ǃ": "!",
}

# Latin letters with no decomposition are named after their base letter
# ("LATIN SMALL LETTER D WITH STROKE"); this reads the base off the name.
_LATIN_NAME = regex.compile(
    r"LATIN (?:SMALL |CAPITAL )?(?:LETTER|LIGATURE) "
    r"(?:(?:SMALL|CAPITAL|TURNED|REVERSED|INVERTED|OPEN|DOTLESS|AFRICAN|TONE) )*"
    r"(\w+)"
)
_NAMED_LETTERS = {
    "ETH": "d",
    "THORN": "th",
    "ENG": "n",
    "KRA": "k",
    "SCHWA": "e",
    "GAMMA": "g",
    "IOTA": "i",
    "LAMBDA": "l",
    "DELTA": "d",
    "UPSILON": "u",
    "ESH": "s",
    "EZH": "z",
    "WYNN": "w",
    "YOGH": "y",
    "HWAIR": "hw",
    "SHARP": "ss",
    "GLOTTAL": "'",
    "TWO": "2",
    "FIVE": "5",
    "SIX": "6",
}


def to_gsm7(text: str) -> str:
    """Replace Latin-script characters GSM-7 lacks with their plain forms.

    Characters GSM-7 has (é, ñ, Ç, ø, ...) are kept; other scripts and emoji are
    left alone, so such text stays UCS-2.  If the plain forms would cost more
    segments (… becomes three characters), the text is returned unchanged.
    """
    if _GSM.issuperset(text):
        return text
    plain = "".join(map(_plain_cluster, _GRAPHEME.findall(text)))
    return plain if count(plain).segments <= count(text).segments else text


def _plain_cluster(cluster: str) -> str:
    if _GSM.issuperset(cluster):
        return cluster
    if cluster in _REPLACEMENTS:  # before decomposing: ´ decomposes to a mark
        return _REPLACEMENTS[cluster]
    composed = unicodedata.normalize("NFC", cluster)  # e + U+0301 is GSM é
    if _GSM.issuperset(composed):
        return composed
    # NFKD also unfolds ligatures, fullwidth forms and fractions (ﬁ, Ａ, ½).
    decomposed = unicodedata.normalize("NFKD", composed)
    plain = "".join(_plain_char(ch) for ch in decomposed if unicodedata.category(ch) != "Mn")
    # All or nothing, so an Arabic or Devanagari cluster keeps its marks.
    return plain if _GSM.issuperset(plain) else cluster


def _plain_char(ch: str) -> str:
    if ch in _GSM:
        return ch
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    if unicodedata.category(ch) == "Zs":  # no-break, thin, em ... spaces
        return " "
    return _latin_base(ch) or ch


def _latin_base(ch: str) -> str | None:
    match = _LATIN_NAME.match(unicodedata.name(ch, ""))
    if not match:
        return None
    word = match.group(1)
    base = _NAMED_LETTERS.get(word) or (word if len(word) <= 2 else None)
    if base is None:
        return None
    return base.upper() if ch.isupper() else base.lower()
