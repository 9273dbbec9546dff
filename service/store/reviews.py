"""The review_events table: who approved or revoked which translated entry, and which uploads replaced an
approved translation. Polling is a plain query; the rest uses SQLAlchemy."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from service.store.base import run

# REPLACE: an upload or a rollback changed an approved translation, so that approval no longer holds.
APPROVE, REVOKE, REPLACE = "approve", "revoke", "replace"


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    locale: str
    entry: str
    action: str  # APPROVE, REVOKE or REPLACE
    source: str  # the English it was approved against
    translation: str
    label: str
    id: int = 0
    created_at: datetime.datetime | None = None


class ReviewStore:
    def __init__(self, store):
        self.store = store

    @property
    def engine(self):
        return self.store.engine

    def add(self, events: Iterable[ReviewEvent]) -> int:
        """Record approvals and revocations in one transaction; how many."""
        from sqlalchemy import insert

        from service.store.schema import review_events

        now = datetime.datetime.now(datetime.UTC)
        rows = [_row(event, now) for event in events]
        if rows:
            run(self.engine, lambda c: c.execute(insert(review_events), rows), write=True)
        return len(rows)

    def newest_id(self) -> tuple[int, int]:
        """(count, newest id) of all events: what replicas poll, like catalog versions."""
        with self.store.direct.transaction(write=False) as cursor:
            cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM review_events")
            return tuple(cursor.fetchone())

    def current(self) -> list[ReviewEvent]:
        """The newest event of every (locale, entry) ever reviewed: its state."""
        from sqlalchemy import func, select

        from service.store.schema import review_events as events

        newest = select(func.max(events.c.id)).group_by(events.c.locale, events.c.entry)
        query = select(events).where(events.c.id.in_(newest))
        return run(self.engine, lambda c: [ReviewEvent(**row._mapping) for row in c.execute(query)])

    def history(self, *, locale: str | None = None, limit: int = 50) -> list[ReviewEvent]:
        """Events newest first."""
        from sqlalchemy import select

        from service.store.schema import review_events as events

        query = select(events).order_by(events.c.id.desc()).limit(limit)
        if locale:
            query = query.where(events.c.locale == locale)
        return run(self.engine, lambda c: [ReviewEvent(**row._mapping) for row in c.execute(query)])


def _row(event: ReviewEvent, now: datetime.datetime) -> dict:
    """An event as the row it is inserted as, stamped now."""
    fields = {name: getattr(event, name) for name in ("locale", "entry", "action", "source", "translation", "label")}
    return {**fields, "created_at": now}
