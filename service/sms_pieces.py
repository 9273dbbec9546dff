"""The pieces of a UCS-2 SMS that Twilio's Segment Calculator never splits across segments.

Its splitter (npm grapheme-splitter 1.0.4) follows UAX #29 of Unicode 10.0, older than
regex's \\X, with quirks of its own; where they differ, so do segment counts.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

# Twilio's Segment Calculator (npm sms-segments-calculator) never splits what the
# npm package grapheme-splitter 1.0.4 calls a character: UAX #29 of Unicode 10.0,
# older than \X, with that package's quirks.  Where they differ, so do counts:
# "i🏽" and "🫶🏽" are two pieces there (a skin tone joins only a Unicode 10 emoji
# base), "क्ष" is two (no Indic conjunct rule), 🐈 ZWJ ⬛ is two and a ZWJ 👩 one (ZWJ
# glues only a fixed list of emoji, after anything), CR LF is two.  Marks added
# to Unicode after 10.0 join here but not there: rare scripts, left as they are.
_E_BASE = (  # Unicode 10.0 E_Base and E_Base_GAZ (👦👧👨👩)
    "\u261d\u26f9\u270a-\u270d\U0001f385\U0001f3c2-\U0001f3c4\U0001f3c7"
    "\U0001f3ca-\U0001f3cc\U0001f442\U0001f443\U0001f446-\U0001f450"
    "\U0001f466-\U0001f469\U0001f46e\U0001f470-\U0001f478\U0001f47c"
    "\U0001f481-\U0001f483\U0001f485-\U0001f487\U0001f4aa\U0001f574\U0001f575"
    "\U0001f57a\U0001f590\U0001f595\U0001f596\U0001f645-\U0001f647"
    "\U0001f64b-\U0001f64f\U0001f6a3\U0001f6b4-\U0001f6b6\U0001f6c0\U0001f6cc"
    "\U0001f918-\U0001f91c\U0001f91e\U0001f91f\U0001f926\U0001f930-\U0001f939"
    "\U0001f93d\U0001f93e\U0001f9d1-\U0001f9dd"
)
_GLUE = (  # Unicode 10.0 Glue_After_Zwj and E_Base_GAZ: what joins after a ZWJ
    "\u2640\u2642\u2695\u2696\u2708\u2764\U0001f308\U0001f33e\U0001f373"
    "\U0001f393\U0001f3a4\U0001f3a8\U0001f3eb\U0001f3ed\U0001f466-\U0001f469"
    "\U0001f48b\U0001f4bb\U0001f4bc\U0001f527\U0001f52c\U0001f5e8\U0001f680"
    "\U0001f692"
)
# The rest of the classes come from regex's own, current Unicode data.
_CLASSES = {
    "CN": r"[\p{GCB=Control}\r\n\ud800-\udfff]",  # lone surrogates are controls there
    "EXT": r"[\p{GCB=Extend}--\p{Emoji_Modifier}]",
    "EM": r"\p{Emoji_Modifier}",
    "SM": r"\p{GCB=SpacingMark}",
    "PP": r"\p{GCB=Prepend}",
    "RI": r"\p{GCB=Regional_Indicator}",
    "ZWJ": r"\u200d",
    "EB": f"[{_E_BASE}]",
    "GLUE": f"[{_GLUE}]",
    "JAMO": r"\p{GCB=L}\p{GCB=V}\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}",
    "HANGUL": r"(?:\p{GCB=L}*(?:\p{GCB=V}+|\p{GCB=LV}\p{GCB=V}*|\p{GCB=LVT})\p{GCB=T}*"
    r"|\p{GCB=L}+|\p{GCB=T}+)",
}
# A skin tone joins a base right before it only while the piece holds no Extend
# yet, and once one has come, only a base and exactly one Extend before it: the
# splitter looks for the last Extend of the piece, not of the run before the tone.
# (The tone itself is matched first: the look back at the base costs more.)
_NO_EXTEND_YET = r"(?:{SM}|{ZWJ}|(?<={ZWJ}){GLUE}|{EM}(?<={EB}{EM}))"
_AFTER_EXTEND = r"(?:{EXT}|{SM}|{ZWJ}|(?<={ZWJ}){GLUE}|{EM}(?<={EB}{EXT}{EM}))"
_TAIL = f"{_NO_EXTEND_YET}* (?:{{EXT}} {_AFTER_EXTEND}*)?"
_PIECE = regex.compile(
    r"""
      [^{CN}{EXT}{PP}{RI}{JAMO}] {TAIL}  # most pieces: tried first, for speed
    | {CN}
    # Past a flag (or a Prepend and one RI) the splitter's regional indicator
    # rule breaks after one more mark, whatever comes.
    | (?:{RI}{RI}|{PP}{RI}) [{EXT}{SM}{ZWJ}]?
    | {PP}* (?:{HANGUL}|[^{CN}{EXT}]) {TAIL}  # Prepend joins what follows it
    | {EXT} {AFTER_EXT}*  # a mark at the start or after a control
    """.format(
        TAIL=_TAIL.format(**_CLASSES),
        AFTER_EXT=_AFTER_EXTEND.format(**_CLASSES),
        **_CLASSES,
    ),
    regex.VERSION1 | regex.VERBOSE,
)
# What can share a piece with a neighbour (Hangul L joins the jamo after it).
# A text with none of these is one piece per code point, by old rules and new.
_JOINER = regex.compile(
    r"[\p{GCB=Extend}\p{GCB=SpacingMark}\p{GCB=ZWJ}\p{GCB=Prepend}"
    r"\p{GCB=Regional_Indicator}\p{GCB=L}\p{GCB=V}\p{GCB=T}]"
)


def ucs2_piece_units(text: str, *, longest: int) -> Iterator[int]:
    """Unit sizes of the unsplittable pieces (see _PIECE), except a piece longer
    than a segment, which can only be split, and then at code points (never
    inside a surrogate pair).  The calculator keeps such a piece whole and so
    overfills a segment past its 140 octets, which no carrier would send."""
    if not _JOINER.search(text):  # the common case, and far faster
        return _code_point_units(text)
    return _piece_units(_PIECE.findall(text), longest)


def _piece_units(pieces: list[str], longest: int) -> Iterator[int]:
    for piece in pieces:
        if len(piece) == 1:  # most pieces: spare them the encoding
            yield 1 + (piece > "\uffff")
        elif (size := len(piece.encode("utf-16-le", "surrogatepass")) // 2) <= longest:
            yield size
        else:
            yield from _code_point_units(piece)


def _code_point_units(text: str) -> Iterator[int]:
    return (2 if ch > "\uffff" else 1 for ch in text)
