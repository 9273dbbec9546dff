"""Admin sessions and failed logins: in the database, so a logout, an expiry and a throttle hold on every replica.

Nothing here can log anyone in by itself: sessions are kept by the hash of their id
(the cookie holds the id), and clients by a keyed hash of their address.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.store.base import run


@dataclass(frozen=True, slots=True)
class AdminSession:
    label: str
    token_fingerprint: str
    csrf: str
    created_at: float
    last_seen_at: float


class AdminSessionStore:
    """The admin_sessions and admin_login_failures tables (SQLAlchemy, loaded at the first admin request)."""

    def __init__(self, store):
        self.store = store

    def _run(self, work, *, write: bool = False):
        return run(self.store.engine, work, write=write)

    def create(self, *, id_hash: str, session: AdminSession) -> None:
        """Store a new session."""
        from sqlalchemy import insert

        from service.store.schema import admin_sessions

        values = dict(
            id_hash=id_hash,
            label=session.label,
            token_fingerprint=session.token_fingerprint,
            csrf=session.csrf,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
        )
        self._run(lambda c: c.execute(insert(admin_sessions).values(**values)), write=True)

    def get(self, *, id_hash: str) -> AdminSession | None:
        """The session stored under this hash, if any."""
        from sqlalchemy import select

        from service.store.schema import admin_sessions

        columns = [admin_sessions.c[name] for name in AdminSession.__slots__]
        query = select(*columns).where(admin_sessions.c.id_hash == id_hash)
        row = self._run(lambda c: c.execute(query).first())
        return AdminSession(**row._mapping) if row else None

    def touch(self, *, id_hash: str, at: float) -> None:
        """Mark a session as used now (its idle expiry starts again)."""
        from sqlalchemy import update

        from service.store.schema import admin_sessions

        statement = update(admin_sessions).where(admin_sessions.c.id_hash == id_hash).values(last_seen_at=at)
        self._run(lambda c: c.execute(statement), write=True)

    def delete(self, *, id_hash: str) -> None:
        """End a session (logout, expiry, a changed token)."""
        from sqlalchemy import delete

        from service.store.schema import admin_sessions

        self._run(lambda c: c.execute(delete(admin_sessions).where(admin_sessions.c.id_hash == id_hash)), write=True)

    def prune(self, *, seen_before: float, created_before: float, failed_before: float) -> None:
        """Delete expired sessions and failures older than the throttle's window."""
        from sqlalchemy import delete, or_

        from service.store.schema import admin_login_failures, admin_sessions

        def work(connection) -> None:
            connection.execute(
                delete(admin_sessions).where(
                    or_(admin_sessions.c.last_seen_at < seen_before, admin_sessions.c.created_at < created_before)
                )
            )
            connection.execute(delete(admin_login_failures).where(admin_login_failures.c.at < failed_before))

        self._run(work, write=True)

    def add_failure(self, *, client_key: str, label: str | None, at: float, forget_before: float) -> None:
        """Remember one failed login (or bearer token) from a client, for a configured label or none, and
        forget those older than the throttle's window: each is an unauthenticated write, and waiting for
        the next successful login to prune them let a flood of them grow the table without bound."""
        from sqlalchemy import delete, insert

        from service.store.schema import admin_login_failures as failures

        def work(connection) -> None:
            connection.execute(delete(failures).where(failures.c.at < forget_before))
            connection.execute(insert(failures).values(client_key=client_key, label=label, at=at))

        self._run(work, write=True)

    def nth_newest_failure(self, *, client_key: str, label: str | None, since: float, n: int) -> float | None:
        """The time of the n-th newest failure since `since` from this client or for this label (None: fewer)."""
        from sqlalchemy import select

        from service.store.schema import admin_login_failures as failures

        def nth(condition) -> float | None:
            query = (
                select(failures.c.at)
                .where(condition, failures.c.at > since)
                .order_by(failures.c.at.desc())
                .offset(n - 1)
                .limit(1)
            )
            return self._run(lambda c: c.execute(query).scalar())

        found = [nth(failures.c.client_key == client_key)]
        if label is not None:
            found.append(nth(failures.c.label == label))
        return max((at for at in found if at is not None), default=None)
