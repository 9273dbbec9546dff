"""The store on SQLAlchemy: SQLite (WAL) by default, PostgreSQL for several replicas."""

from __future__ import annotations

import datetime
from typing import Any, Callable

from sqlalchemy import Engine, case, create_engine, delete, event, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite

from service.core.types import Subscriber
from service.store.base import run
from service.store.migrate import upgrade
from service.store.records import Change, Loaded, Record, StoreUnavailable, SubscriberState
from service.store.schema import records, subscribers

HOUR = 3600.0


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers go on while one writer commits; NORMAL sync is durable
    # across process crashes, which is the failure a webhook server sees.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _postgres_timeouts(dbapi_connection, _record) -> None:
    # Twilio waits 15 s for a reply: a statement stuck behind a lock, or a
    # transaction a vanished client left open, must fail fast and let the
    # line answer without the database instead.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 3000; SET lock_timeout = 2000; "
                       "SET idle_in_transaction_session_timeout = 10000")
    dbapi_connection.commit()


def make_engine(url: str) -> Engine:
    """An engine that fails fast when the database is away, so replies are not held up."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Keepalives notice a database host that vanished without closing the connection.
    engine = create_engine(url, pool_size=8, max_overflow=8, pool_timeout=2, connect_args={
        "connect_timeout": 2, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2})
    event.listen(engine, "connect", _postgres_timeouts)
    return engine


def _record(row: Any) -> Record:
    return Record(**{name: getattr(row, name) for name in Record.__slots__})


def _state(row: Any) -> SubscriberState:
    if row is None:
        return SubscriberState()
    return SubscriberState(
        subscriber=Subscriber(locale=row.locale, opted_out=row.opted_out), opted_changed_at=row.opted_changed_at,
        window_start=row.window_start, window_count=row.window_count,
        hour_start=row.hour_start, hour_count=row.hour_count,
    )


class SqlStore:
    """Subscriber state and records; every method is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def _run(self, work: Callable, *, write: bool = False):
        return run(self.engine, work, write=write)

    def load(self, *, sender_key: str, message_id: str) -> Loaded:
        """The sender's state, and this message's record if it was handled before."""
        def work(connection):
            state = connection.execute(select(subscribers).where(subscribers.c.key == sender_key)).first()
            previous = connection.execute(select(records).where(records.c.message_sid == message_id)).first()
            return Loaded(state=_state(state), previous=_record(previous) if previous else None)
        return self._run(work)

    def save(self, *, record: Record, change: Change) -> Record | None:
        """Record a message and apply its change, once per MessageSid; a duplicate returns the first record."""
        def work(connection):
            values = {name: getattr(record, name) for name in Record.__slots__}
            values["created_at"] = record.created_at or datetime.datetime.now(datetime.timezone.utc)
            inserted = connection.execute(
                self._insert(records).values(**values)
                .on_conflict_do_nothing(index_elements=["message_sid"]).returning(records.c.id)
            ).first()
            if inserted is None:
                row = connection.execute(select(records).where(records.c.message_sid == record.message_sid)).first()
                return _record(row)
            connection.execute(self._upsert_subscriber(record.sender_key, change))
            return None
        return self._run(work, write=True)

    def _upsert_subscriber(self, key: str, change: Change):
        current = subscribers.c
        in_window = current.window_start > change.at - change.window_seconds
        in_hour = current.hour_start > change.at - HOUR
        sent = 1 if change.replied else 0
        # An opt-out or opt-in applies only if no later one has: a STOP spooled
        # during an outage must not undo a START that reached the database first.
        newer = (current.opted_changed_at.is_(None)) | (current.opted_changed_at <= change.at)
        updates: dict[str, Any] = {
            "window_start": case((in_window, current.window_start), else_=change.at),
            "window_count": case((in_window, current.window_count + sent), else_=sent),
            "hour_start": case((in_hour, current.hour_start), else_=change.at),
            "hour_count": case((in_hour, current.hour_count + sent), else_=sent),
            "updated_at": change.at,
        }
        if change.locale is not None:
            updates["locale"] = change.locale
        if change.opted_out is not None:
            updates["opted_out"] = case((newer, literal(change.opted_out)), else_=current.opted_out)
            updates["opted_changed_at"] = case((newer, change.at), else_=current.opted_changed_at)
        insert = self._insert(subscribers).values(
            key=key, locale=change.locale, opted_out=bool(change.opted_out),
            opted_changed_at=change.at if change.opted_out is not None else None,
            window_start=change.at, window_count=sent, hour_start=change.at, hour_count=sent, updated_at=change.at,
        )
        return insert.on_conflict_do_update(index_elements=["key"], set_=updates)

    def purge(self, *, before: datetime.datetime) -> int:
        """Delete records older than `before`; subscriber state stays."""
        return self._run(lambda c: c.execute(delete(records).where(records.c.created_at < before)).rowcount, write=True)

    def count_records(self) -> int:
        """How many records there are."""
        return self._run(lambda c: c.execute(select(func.count()).select_from(records)).scalar_one())

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""
        self._run(lambda c: c.execute(text("SELECT 1")))


def open_store(url: str) -> SqlStore:
    """An engine on url, migrated to the newest schema."""
    engine = make_engine(url)
    upgrade(engine)
    return SqlStore(engine)
