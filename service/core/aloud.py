"""Written text made fit to be heard: what a <Say> voice would read badly, rewritten. Pure.

Only the form differs, never the facts: a bracketed aside in a written summary repeats what is beside
it (a drug's Latin name, an abbreviation), and a phone number is read digit by digit, as a patient
writes it down, not as a large number ("zero eight hundred ...").
"""

from __future__ import annotations

import re

# ASCII and full-width brackets (Chinese text uses the latter), with the space before them.
ASIDE = re.compile(r"\s*[(（][^()（）]*[)）]")
GROUPS = re.compile(r"(?<=\d)[ \u00a0-](?=\d)")
DIGITS = re.compile(r"\d{2,}")


def without_asides(text: str) -> str:
    """A written summary without its bracketed asides; a summary whose aside says a fact has a spoken
    form of its own (content/topics.toml `spoken`), which is said instead."""
    return ASIDE.sub("", text)


def digit_by_digit(text: str) -> str:
    """Every number of two or more digits read one digit at a time, its groups apart: "0800 123" ->
    "0 8 0 0, 1 2 3"."""
    grouped = GROUPS.sub(", ", text)
    return DIGITS.sub(lambda found: " ".join(found.group()), grouped)
