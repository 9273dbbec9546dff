"""The per-message statements, written once as plain SQL (SQLAlchemy's statement building per message
was most of the time spent on the webhook's path); each unit of work runs them in its driver's style."""

from __future__ import annotations

import operator
import re

from service.core.types import Subscriber
from service.store.records import HOUR, Change, Record, SubscriberState

RECORD_COLUMNS = (
    "message_sid", "sender_key", "program", "channel", "intent", "topic", "locale", "segments",
    "encoding", "replied", "rate_limited", "simulated", "created_at", "delivery", "gateway",
)  # fmt: skip
STATE_COLUMNS = ("locale", "opted_out", "opted_changed_at", "window_start", "window_count", "hour_start", "hour_count")

LOAD_SUBSCRIBER = f"SELECT {', '.join(STATE_COLUMNS)} FROM subscribers WHERE key = :key"
GET_RECORD = f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE message_sid = :message_sid"
INSERT_RECORD = (
    f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({', '.join(':' + c for c in RECORD_COLUMNS)}) "
    "ON CONFLICT (message_sid) DO NOTHING"
)
# Every SET expression reads the row as it was before this update (SQL's rule,
# in SQLite and PostgreSQL alike). An opt-out or opt-in applies only if no later
# one has: a STOP spooled during an outage must not undo a START that came first
# (service.core.opt_out.spooled_is_newer is the same rule, for the spool's side).
UPSERT_SUBSCRIBER = f"""
INSERT INTO subscribers (key, locale, opted_out, opted_changed_at, window_start, window_count, hour_start, hour_count,
                         updated_at)
VALUES (:key, :new_locale, :opted_out, :opted_at, :at, :sent, :at, :sent, :at)
ON CONFLICT (key) DO UPDATE SET
  window_count = CASE WHEN subscribers.window_start > :window_since THEN subscribers.window_count + :sent ELSE :sent END,
  window_start = CASE WHEN subscribers.window_start > :window_since THEN subscribers.window_start ELSE :at END,
  hour_count = CASE WHEN subscribers.hour_start > :hour_since THEN subscribers.hour_count + :sent ELSE :sent END,
  hour_start = CASE WHEN subscribers.hour_start > :hour_since THEN subscribers.hour_start ELSE :at END,
  updated_at = :at,
  locale = COALESCE(:new_locale, subscribers.locale),
  opted_out = CASE WHEN :opt_given AND (subscribers.opted_changed_at IS NULL OR subscribers.opted_changed_at <= :at)
                   THEN :opted_out ELSE subscribers.opted_out END,
  opted_changed_at = CASE WHEN :opt_given AND (subscribers.opted_changed_at IS NULL OR subscribers.opted_changed_at <= :at)
                          THEN :at ELSE subscribers.opted_changed_at END
RETURNING {", ".join(STATE_COLUMNS)}
"""
_NAMED = re.compile(r":(\w+)")
_record_values = operator.attrgetter(*RECORD_COLUMNS)


def pyformat(sql: str) -> str:
    """sql with psycopg's %(name)s placeholders instead of sqlite3's :name."""
    return _NAMED.sub(r"%(\1)s", sql)


def record_values(record: Record, created_at: object) -> dict[str, object]:
    """The parameters of INSERT_RECORD; created_at as the database takes it."""
    values = dict(zip(RECORD_COLUMNS, _record_values(record), strict=True))
    values["created_at"] = created_at
    return values


def subscriber_values(key: str, change: Change) -> dict[str, object]:
    """The parameters of UPSERT_SUBSCRIBER."""
    return {
        "key": key, "new_locale": change.locale, "at": change.at, "sent": 1 if change.replied else 0,
        "window_since": change.at - change.window_seconds, "hour_since": change.at - HOUR,
        "opt_given": change.opted_out is not None, "opted_out": bool(change.opted_out),
        "opted_at": change.at if change.opted_out is not None else None,
    }  # fmt: skip


def state_of(row: tuple | None) -> SubscriberState:
    """A row of STATE_COLUMNS as a SubscriberState (defaults for a new sender)."""
    if row is None:
        return SubscriberState()
    locale, opted_out, opted_changed_at, window_start, window_count, hour_start, hour_count = row
    return SubscriberState(
        subscriber=Subscriber(locale=locale, opted_out=bool(opted_out)),
        opted_changed_at=opted_changed_at,
        window_start=window_start,
        window_count=window_count,
        hour_start=hour_start,
        hour_count=hour_count,
    )


def record_of(row: tuple) -> Record:
    """A row of RECORD_COLUMNS as a Record."""
    return Record(**dict(zip(RECORD_COLUMNS, row, strict=True)))
