"""USSD pages: what fits on one screen, and text or numbered items paged onto as many as it takes. Pure.

A USSD string is at most 160 octets (3GPP TS 23.038): 182 GSM-7 septets (Africa's Talking's documented
182 characters; an extension character counts 2), but only 80 UCS-2 characters, which is what a screen
with any letter GSM-7 lacks is sent as. Longer, and the network cuts the screen: the referral is last.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from service import segments
from service.core.render import directed

SCREEN_LIMITS = {segments.GSM7: 182, segments.UCS2: 80}
_GRAPHEME = regex.compile(r"\X")


def screen_size(text: str) -> tuple[int, int]:
    """(what a text takes of a screen, the most it may): septets of 182, or UCS-2 characters of 80."""
    cost = segments.count(text)
    return cost.units, SCREEN_LIMITS[cost.encoding]


def fits(text: str) -> bool:
    """Whether a text fits on one USSD screen in the encoding it needs."""
    units, limit = screen_size(text)
    return units <= limit


def screen(lines: Sequence[str], locale: str) -> str:
    """Lines as one screen, each marked right-to-left where its locale's script runs so."""
    return "\n".join(directed(line, locale) for line in lines)


def first_fitting(*candidates: Sequence[str], locale: str) -> str:
    """The first candidate's lines as a screen that fits (the last's, fitting or not)."""
    screens = [screen(lines, locale) for lines in candidates]
    return next((screen for screen in screens if fits(screen)), screens[-1])


def list_pages(
    items: Sequence[str], *, head: str, footer: Sequence[str], last: Sequence[str], locale: str
) -> list[str]:
    """Numbered items paged whole, as many as fit on each page: the head above the first page's (left out
    if not even one item fits under it), the footer (more, back) under every page but the last, which has
    last (back)."""
    pages: list[str] = []
    rest, top = list(items), [head]
    while rest:  # each turn takes at least one item, or drops the head
        if fits(whole := screen([*top, *rest, *last], locale)):
            return [*pages, whole]
        taken = _longest_run(rest, above=top, tail=footer, locale=locale)
        if not taken and top:
            top = []
            continue
        taken = max(1, taken)
        pages.append(screen([*top, *rest[:taken], *footer], locale))
        rest, top = rest[taken:], []
    return [*pages, screen([*top, *last], locale)]


def _longest_run(items: Sequence[str], *, above: Sequence[str], tail: Sequence[str], locale: str) -> int:
    """How many of items, from the first, fit on one screen as lines between above and tail."""
    count = 0
    while count < len(items) and fits(screen([*above, *items[: count + 1], *tail], locale)):
        count += 1
    return count


def _longest_fitting(items: Sequence[str], joiner: str, *, tail: Sequence[str], locale: str) -> int:
    """How many of items, from the first, fit on one screen joined, with the tail's lines below them."""
    count = 0
    while count < len(items) and fits(screen([joiner.join(items[: count + 1]), *tail], locale)):
        count += 1
    return count


def _pieces(words: Sequence[str], *, tail: Sequence[str], locale: str) -> list[str]:
    """The words, a word too long for a page with its tail (a text without spaces) cut where it fits."""
    pieces: list[str] = []
    for word in words:
        graphemes = _GRAPHEME.findall(word)
        while graphemes:  # each turn takes at least one
            taken = max(1, _longest_fitting(graphemes, "", tail=tail, locale=locale))
            pieces.append("".join(graphemes[:taken]))
            graphemes = graphemes[taken:]
    return pieces


def topic_pages(text: str, *, footer: Sequence[str], ending: str, locale: str) -> list[str]:
    """A text paged at word boundaries: the footer (more, back) under every page but the last, the
    ending (the referral) last on the last."""
    words = _pieces(text.split(), tail=footer, locale=locale)
    pages: list[str] = []
    while words:  # each turn takes at least one word
        if fits(last := screen([" ".join(words), ending], locale)):
            return [*pages, last]
        taken = max(1, _longest_fitting(words, " ", tail=footer, locale=locale))
        pages.append(screen([" ".join(words[:taken]), *footer], locale))
        words = words[taken:]
    return [*pages, screen([ending], locale)]
