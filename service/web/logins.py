"""Logins and bearer tokens: checked in constant time, throttled per client and per label, every attempt logged.

Failures are counted in the database, so the limit holds across replicas. A throttled
client or label is refused before its token is even compared, so a guess made while
throttled learns nothing. Logs carry the label (only a configured one: a token typed
into the name field must not land in a log), a keyed hash of the client, and the
outcome; never a token.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from dataclasses import dataclass

from service.admin_tokens import Accounts
from service.settings import Settings
from service.web.identity import AdminIdentity, identity_for_token
from service.web.sessions import Sessions

log = logging.getLogger("service.admin.login")


@dataclass(frozen=True, slots=True)
class Attempt:
    identity: AdminIdentity | None  # None: refused
    retry_after: int | None = None  # seconds: throttled (429) rather than wrong (401/403)


class Logins:
    """Throttled checks of a label and token (the login form) or of a bearer token (scripts)."""

    def __init__(self, *, sessions: Sessions, settings: Settings):
        self.sessions = sessions
        self.settings = settings

    def _retry_after(self, *, client: str, label: str | None, now: float) -> int | None:
        window = self.settings.admin_login_window_seconds
        oldest_counted = self.sessions.store.nth_newest_failure(
            client_key=client, label=label, since=now - window, n=self.settings.admin_login_attempts
        )
        return None if oldest_counted is None else max(1, math.ceil(oldest_counted + window - now))

    def _log(self, *, outcome: str, label: str | None, client: str) -> None:
        level = logging.INFO if outcome == "ok" else logging.WARNING
        log.log(level, "admin login", extra={"outcome": outcome, "label": label, "client": client[:16]})

    def log_in(self, *, address: str, label: str, token: str, accounts: Accounts) -> Attempt:
        """The login form: a label and its token."""
        client, now = self.sessions.client_key(address=address), time.time()
        entry = accounts.get(label)
        known = entry.label if entry else None
        retry_after = self._retry_after(client=client, label=known, now=now)
        if retry_after is not None:
            self._log(outcome="throttled", label=known, client=client)
            return Attempt(None, retry_after)
        if entry is not None and hmac.compare_digest(entry.token.encode(), token.encode()):
            self._log(outcome="ok", label=known, client=client)
            return Attempt(AdminIdentity(entry.label, "", by_bearer=False, role=entry.role))
        self.sessions.store.add_failure(
            client_key=client, label=known, at=now, forget_before=now - self.settings.admin_login_window_seconds
        )
        self._log(outcome="wrong token" if known else "unknown label", label=known, client=client)
        return Attempt(None)

    def bearer(self, *, address: str, token: str, accounts: Accounts) -> Attempt:
        """A script's bearer token (throttled per client: it names no label)."""
        client, now = self.sessions.client_key(address=address), time.time()
        retry_after = self._retry_after(client=client, label=None, now=now)
        if retry_after is not None:
            self._log(outcome="bearer throttled", label=None, client=client)
            return Attempt(None, retry_after)
        identity = identity_for_token(accounts, token)
        if identity is None:
            self.sessions.store.add_failure(
                client_key=client, label=None, at=now, forget_before=now - self.settings.admin_login_window_seconds
            )
            self._log(outcome="wrong bearer token", label=None, client=client)
        return Attempt(identity)
