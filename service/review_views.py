"""What the admin's review page shows, computed from catalogs, programs and review events (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass

from service import review, segments
from service.catalogs import Catalogs
from service.programs import Program
from service.review import APPROVED, DRAFT, EntryReview
from service.review_actions import seen
from service.store.reviews import ReviewEvent


@dataclass(frozen=True, slots=True)
class EntryCost:
    """What an entry's text costs a program, and whether that program sends it now."""

    program: str
    policy: str  # "approved" or "drafts"
    encoding: str
    segments: int
    sent: bool


@dataclass(frozen=True, slots=True)
class EntryRow:
    review: EntryReview
    seen: str  # review_actions.seen() of the translation shown: what an approval of this row says was read
    costs: tuple[EntryCost, ...]


def _cost(catalogs: Catalogs, locale: str, item: EntryReview, program: Program) -> EntryCost:
    text = item.translation or ""
    cost = segments.count(text)
    if program.encoding == "gsm7" and locale in catalogs.transliterable and cost.encoding == segments.UCS2:
        cheaper = segments.count(segments.to_gsm7(text))
        cost = cheaper if cheaper.encoding == segments.GSM7 else cost
    sent = item.state == APPROVED or (item.state == DRAFT and program.translations == "drafts")
    return EntryCost(program.name, program.translations, cost.encoding, cost.segments, sent)


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
