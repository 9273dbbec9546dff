"""What the admin's review page shows, computed from catalogs, programs and review events (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass

from service import review
from service.catalogs import Catalogs
from service.core.placeholders import filled
from service.core.render import as_sent
from service.programs import Program
from service.review import APPROVED, DRAFT, EntryReview
from service.review_actions import seen
from service.store.reviews import ReviewEvent


@dataclass(frozen=True, slots=True)
class EntryCost:
    """What an entry's text costs a program, and whether that program may send it (a reply goes in a
    language only when every one of its parts may)."""

    program: str
    translations: str  # the program's policy: "approved" or "drafts"
    encoding: str
    segments: int
    sendable: bool
    sent_as: str = ""  # the text as this program sends it, where that differs (accents dropped for GSM-7)


@dataclass(frozen=True, slots=True)
class EntryRow:
    review: EntryReview
    seen: str  # review_actions.seen() of the translation shown: what an approval of this row says was read
    costs: tuple[EntryCost, ...]


def _cost(catalogs: Catalogs, locale: str, item: EntryReview, program: Program) -> EntryCost:
    """An entry's cost as a program sends it: its placeholders filled, transliterated where the program does."""
    text = filled(catalogs, locale, item.entry.context, program) if item.entry.is_message else item.translation
    sent, cost = as_sent(text or "", catalogs=catalogs, locale=locale, program=program)
    sendable = item.state == APPROVED or (item.state == DRAFT and program.translations == "drafts")
    # A reviewer approves what is sent: where a gsm7 program drops accents, she reads that text too.
    dropped = sent if sent != text else ""
    return EntryCost(program.name, program.translations, cost.encoding, cost.segments, sendable, dropped)


def entry_rows(
    *, catalogs: Catalogs, locale: str, current: list[ReviewEvent], programs: tuple[Program, ...]
) -> list[EntryRow]:
    """Every entry of a locale side by side with its English, its state and its cost under each program."""
    rows = []
    for item in review.entry_reviews(catalogs=catalogs, locale=locale, current=current):
        costs = tuple(_cost(catalogs, locale, item, program) for program in programs) if item.translation else ()
        rows.append(EntryRow(item, seen(item.translation) if item.translation else "", costs))
    return rows


def read_field(rows: list[EntryRow]) -> list[str]:
    """The approve-all form's hidden values: each draft shown, as "entry id:seen"."""
    return [f"{row.review.entry.id}:{row.seen}" for row in rows if row.review.state == DRAFT]
