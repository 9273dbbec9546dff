"""Clinical review: what state each translated entry is in, for every locale.

An entry is approved only while its served translation and its English are exactly those a
reviewer approved (service.store.reviews keeps every approval and revocation); a changed
translation or a changed English makes it a draft again. Fuzzy and missing entries are never served.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from service.catalogs import Catalogs
from service.content import Content
from service.entries import Entry, entries_of
from service.store.reviews import APPROVE, REPLACE, ReviewEvent

APPROVED, DRAFT, FUZZY, MISSING = "approved", "draft", "fuzzy", "missing"
STATES = (APPROVED, DRAFT, FUZZY, MISSING)
# A translator's comment line in a PO file that says how the translation reads back in English.
BACK_TRANSLATION = "back-translation:"


@dataclass(frozen=True, slots=True)
class EntryReview:
    entry: Entry
    state: str  # one of STATES
    translation: str | None  # as served to a program that serves drafts (None: fuzzy or missing)
    approval: ReviewEvent | None = None  # the approval it is in (approved), or the newest one it has left
    back_translation: str = ""

    @property
    def english_changed(self) -> bool:
        """Whether it was approved once, against English that has changed since."""
        return self.approval is not None and self.approval.source != self.entry.source


def text_hash(text: str) -> str:
    """A translation's SHA-256, as forms name what a reviewer read (service.review_actions.seen)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def newest_events(events: Iterable[ReviewEvent]) -> dict[tuple[str, str], ReviewEvent]:
    """(locale, entry id) -> its newest event (the highest id; of equal ids, the later given): its state."""
    newest: dict[tuple[str, str], ReviewEvent] = {}
    for event in events:
        key = (event.locale, event.entry)
        if key not in newest or event.id >= newest[key].id:
            newest[key] = event
    return newest


def approvals_of(*, content: Content, events: Iterable[ReviewEvent]) -> dict[str, dict[tuple[str, str], str]]:
    """locale -> {(msgctxt, msgid): approved translation} from each entry's newest event, for Catalogs.approvals."""
    entries = entries_of(content)
    approvals: dict[str, dict[tuple[str, str], str]] = {}
    for event in newest_events(events).values():
        entry = entries.get(event.entry)
        if event.action == APPROVE and entry is not None and entry.source == event.source:
            approvals.setdefault(event.locale, {})[(entry.context, entry.source)] = event.translation
    return approvals


def _back_translation(message: Message | None) -> str:
    """What the translator's `# back-translation:` comment lines above the entry say."""
    comments = message.user_comments if message is not None else []
    said = [line.split(":", 1)[1].strip() for line in comments if line.lower().startswith(BACK_TRANSLATION)]
    return " ".join(said)


def _state(message: Message | None, entry: Entry, served: str | None, approval: ReviewEvent | None) -> str:
    """One of STATES for an entry, from its PO message, what is served and the approval it has (if any)."""
    if served is None:
        return FUZZY if message is not None and message.fuzzy and message.string else MISSING
    if approval is not None and (approval.source, approval.translation) == (entry.source, served):
        return APPROVED
    return DRAFT


def entry_reviews(*, catalogs: Catalogs, locale: str, current: Iterable[ReviewEvent]) -> list[EntryReview]:
    """Every entry of a locale with its state, in the template's order (current: ReviewStore.current())."""
    catalog = catalogs.sources[locale]
    newest = newest_events(event for event in current if event.locale == locale)
    approvals = {entry: event for (_, entry), event in newest.items() if event.action == APPROVE}
    reviews = []
    for entry in entries_of(catalogs.content).values():
        message = catalog.get(entry.source, context=entry.context)
        served = catalogs.lookup(locale, entry.context, entry.source)
        approval = approvals.get(entry.id)
        state = _state(message, entry, served, approval)
        reviews.append(EntryReview(entry, state, served, approval, _back_translation(message)))
    return reviews


def locale_counts(*, catalogs: Catalogs, current: Iterable[ReviewEvent]) -> dict[str, dict[str, int]]:
    """locale -> how many of its entries are approved, draft, fuzzy and missing."""
    current = list(current)
    counts = {}
    for locale in sorted(catalogs.sources):
        found = Counter(review.state for review in entry_reviews(catalogs=catalogs, locale=locale, current=current))
        counts[locale] = {state: found.get(state, 0) for state in STATES}
    return counts


def replacements(
    *, catalogs: Catalogs, locale: str, catalog: Catalog, current: Iterable[ReviewEvent], label: str
) -> list[ReviewEvent]:
    """A REPLACE event for each approved entry whose translation a new version of the locale's catalog changes:
    the approval ends there, and a rollback to the approved text later does not bring it back unread."""
    entries = entries_of(catalogs.content)
    events = []
    for (event_locale, entry_id), event in newest_events(current).items():
        entry = entries.get(entry_id)
        if event_locale != locale or event.action != APPROVE or entry is None:
            continue
        message = catalog.get(entry.source, context=entry.context)
        text = message.string if message is not None and not message.fuzzy else None
        if text != event.translation:
            events.append(
                ReviewEvent(locale, entry_id, REPLACE, entry.source, text if isinstance(text, str) else "", label)
            )
    return events
