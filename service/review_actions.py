"""A reviewer's acts: approve or revoke translated entries of a locale, four eyes kept, every replica told.

Each act names what the reviewer read (an entry and the hash of the translation she saw): an entry
whose translation changed since is refused, so an upload between her reading and her click is never
approved unread. A reviewer cannot approve a translation that any version of the locale stored under
her own label (an upload or a rollback) holds: four eyes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from service import review
from service.catalogs import parse_po
from service.entries import entries_of
from service.line import Line
from service.review import APPROVED, DRAFT, EntryReview
from service.store.reviews import APPROVE, REVOKE, ReviewEvent
from service.translations import refresh_catalogs

SEEN_CHARS = 16  # of a translation's hash, in forms: enough to tell two texts apart
# Her newest versions of a locale that four eyes reads: each is parsed (~10 ms) on every approval.
OWN_VERSIONS = 200
NO_SUCH_ENTRY = "no such entry"
UNREAD = "its translation changed since it was read; read it again"
NOT_SERVED = "it is {state}: a fuzzy or missing translation is never served, so there is nothing to approve"
OWN = "{label} put this translation in: another reviewer must approve it (four eyes)"


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # entry ids approved or revoked
    refused: list[tuple[str, str]] = field(default_factory=list)  # (entry id, why)


def seen(translation: str | None) -> str:
    """What a form says of a translation a reviewer read: the start of its hash."""
    return review.text_hash(translation or "")[:SEEN_CHARS]


def _reviews(line: Line, locale: str) -> dict[str, EntryReview]:
    """Every entry of a locale by id, as every replica serves it now (another may have published since)."""
    refresh_catalogs(line=line)
    current = line.reviews.current()
    items = review.entry_reviews(catalogs=line.catalogs, locale=locale, current=current)
    return {item.entry.id: item for item in items}


def _own(line: Line, locale: str, label: str) -> frozenset[tuple[str, str]]:
    """(entry id, text hash) of every translation in a version of the locale stored under label."""
    entries = entries_of(line.catalogs.content).values()
    own = set()
    for text in line.versions.texts(locale=locale, label=label, limit=OWN_VERSIONS):
        catalog = parse_po(text.encode("utf-8"))
        messages = ((entry, catalog.get(entry.source, context=entry.context)) for entry in entries)
        own |= {
            (entry.id, review.text_hash(message.string))
            for entry, message in messages
            if message is not None and isinstance(message.string, str) and message.string
        }
    return frozenset(own)


def _approvable(item: EntryReview, *, read: str | None, own: frozenset[tuple[str, str]], by: str) -> str | None:
    """Why an entry may not be approved now (None: it may)."""
    if item.state not in (DRAFT, APPROVED):
        return NOT_SERVED.format(state=item.state)
    if read is not None and read != seen(item.translation):
        return UNREAD
    if (item.entry.id, review.text_hash(item.translation or "")) in own:
        return OWN.format(label=by)
    return None


def approve(*, line: Line, locale: str, read: Mapping[str, str | None], by: str) -> Outcome:
    """Approve each entry read ({entry id: seen() of what was read, or None for "as served now"})."""
    items, outcome = _reviews(line, locale), Outcome()
    own = _own(line, locale, by)
    events = []
    for entry_id, hashed in read.items():
        item = items.get(entry_id)
        why = NO_SUCH_ENTRY if item is None else _approvable(item, read=hashed, own=own, by=by)
        if item is None or why:
            outcome.refused.append((entry_id, why or NO_SUCH_ENTRY))
        elif item.state == DRAFT:
            events.append(ReviewEvent(locale, entry_id, APPROVE, item.entry.source, item.translation or "", by))
            outcome.done.append(entry_id)
    _record(line, events)
    return outcome


def revoke(*, line: Line, locale: str, entry_ids: list[str], by: str) -> Outcome:
    """End approvals: of approved entries, and of those whose English changed since (a revert would revive them)."""
    items, outcome = _reviews(line, locale), Outcome()
    events = []
    for entry_id in entry_ids:
        item = items.get(entry_id)
        if item is None or item.approval is None:
            outcome.refused.append((entry_id, NO_SUCH_ENTRY if item is None else f"it is {item.state}, not approved"))
        else:
            events.append(ReviewEvent(locale, entry_id, REVOKE, item.entry.source, item.translation or "", by))
            outcome.done.append(entry_id)
    _record(line, events)
    return outcome


def drafts(*, line: Line, locale: str) -> dict[str, str | None]:
    """Every draft of a locale as "read as served now": what approving all of them means on the CLI."""
    return {entry_id: None for entry_id, item in _reviews(line, locale).items() if item.state == DRAFT}


def approved(*, line: Line, locale: str) -> list[str]:
    """The ids of a locale's entries with an approval: approved, or approved against English since changed."""
    return [entry_id for entry_id, item in _reviews(line, locale).items() if item.approval is not None]


def _record(line: Line, events: list[ReviewEvent]) -> None:
    """Keep the events and serve what they change here at once (other replicas at their next look)."""
    if events:
        line.reviews.add(events)
        refresh_catalogs(line=line)
