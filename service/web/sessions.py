"""Admin sessions: a random id in a signed cookie, the session itself in the database.

A session id is 32 random bytes; the database keeps only its SHA-256 (a plain hash is
enough: nobody can guess 256 random bits offline), with the label that logged in, a keyed
fingerprint of that label's token, a random CSRF token, and when it started and was last
used. So a logout or an expiry holds on every replica, and changing or removing a label's
token in the configuration ends that label's sessions at their next request.

Keys. Every key here is derived from PHONE_HASH_KEY by HMAC-SHA256 with a purpose label:
replicas must already share that key and keep it secret, so sessions work behind a load
balancer without one more secret to deploy, and each purpose gets a key of its own, so
nothing signed or hashed here can stand in for a phone hash or for another purpose's value.
The cookie's signature (itsdangerous) only lets a forged cookie be refused without a
database query: a session exists only while its row does, so the key alone logs no one in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer, TimestampSigner
from starlette.responses import Response

from service.admin_tokens import Accounts
from service.settings import Settings
from service.store.admin_sessions import AdminSession, AdminSessionStore
from service.web.identity import AdminIdentity

COOKIE = "infoline_admin"
LOGIN_COOKIE = "infoline_login"
COOKIE_PATH = "/admin"
# A used session is written back at most once a minute, so a page view is not a database write
# (and idle expiry may come up to a minute early).
TOUCH_EVERY_SECONDS = 60
# How long a login form stays good: its pre-session token is signed with the time.
LOGIN_FORM_SECONDS = 2 * 60 * 60


def purpose_key(hash_key: bytes, purpose: str) -> bytes:
    """A key for one purpose, derived from PHONE_HASH_KEY."""
    return hmac.new(hash_key, f"infoline admin: {purpose}".encode(), hashlib.sha256).digest()


def id_hash(session_id: str) -> str:
    """What the database keeps of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def set_cookie(response: Response, name: str, value: str, *, max_age: int, secure: bool) -> None:
    """An admin cookie: HttpOnly, SameSite=Strict, only under /admin, Secure unless configured off."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure, path=COOKIE_PATH)


def forget_cookie(response: Response, name: str, *, secure: bool) -> None:
    """Tell the browser to drop an admin cookie (with the attributes it was set with)."""
    response.delete_cookie(name, httponly=True, samesite="strict", secure=secure, path=COOKIE_PATH)


@dataclass(frozen=True, slots=True)
class NewSession:
    cookie: str
    identity: AdminIdentity


class Sessions:
    """Start, find and end admin sessions; sign and check the login form's pre-session token."""

    def __init__(self, *, hash_key: bytes, store: AdminSessionStore, settings: Settings):
        self.store = store
        self.settings = settings
        self._cookie = Signer(purpose_key(hash_key, "session cookie"), salt="infoline.admin.session")
        self._login = TimestampSigner(purpose_key(hash_key, "login form"), salt="infoline.admin.login")
        self._token_key = purpose_key(hash_key, "token fingerprint")
        self._client_key = purpose_key(hash_key, "client address")

    def fingerprint(self, *, label: str, token: str) -> str:
        """A keyed MAC of a label's token: what a session remembers of the token that opened it."""
        return hmac.new(self._token_key, f"{label}\n{token}".encode(), hashlib.sha256).hexdigest()

    def client_key(self, *, address: str) -> str:
        """A keyed hash of a client's address: what the throttle and the logs keep instead of the address."""
        return hmac.new(self._client_key, address.encode(), hashlib.sha256).hexdigest()

    def start(self, *, label: str, token: str, role: str) -> NewSession:
        """A new session for a label that just logged in with its token (the role is not stored: see find)."""
        now = time.time()
        self.store.prune(
            seen_before=now - self.settings.admin_session_idle_seconds,
            created_before=now - self.settings.admin_session_max_seconds,
            failed_before=now - self.settings.admin_login_window_seconds,
        )
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.store.create(
            id_hash=id_hash(session_id),
            session=AdminSession(
                label=label,
                token_fingerprint=self.fingerprint(label=label, token=token),
                csrf=csrf,
                created_at=now,
                last_seen_at=now,
            ),
        )
        return NewSession(
            self._cookie.sign(session_id).decode(), AdminIdentity(label, csrf, by_bearer=False, role=role)
        )

    def _session_id(self, cookie: str) -> str | None:
        try:
            return self._cookie.unsign(cookie).decode()
        except (BadSignature, UnicodeError):
            return None

    def find(self, *, cookie: str, accounts: Accounts) -> AdminIdentity | None:
        """The admin of a live session, in its label's current role (None: forged, unknown, expired, or its
        token changed since)."""
        session_id = self._session_id(cookie)
        if session_id is None:
            return None  # forged or mangled: refused without a database query
        key, now = id_hash(session_id), time.time()
        session = self.store.get(id_hash=key)
        if session is None:
            return None
        entry = accounts.get(session.label)
        if entry is None or not self._alive(session, now, entry.token):
            self.store.delete(id_hash=key)
            return None
        if now - session.last_seen_at > TOUCH_EVERY_SECONDS:
            self.store.touch(id_hash=key, at=now)
        return AdminIdentity(session.label, session.csrf, by_bearer=False, role=entry.role)

    def _alive(self, session: AdminSession, now: float, token: str) -> bool:
        """Within both expiries, and opened with the label's token as configured now."""
        return (
            now - session.last_seen_at <= self.settings.admin_session_idle_seconds
            and now - session.created_at <= self.settings.admin_session_max_seconds
            and hmac.compare_digest(self.fingerprint(label=session.label, token=token), session.token_fingerprint)
        )

    def end(self, *, cookie: str) -> None:
        """Log a session out, on every replica."""
        session_id = self._session_id(cookie)
        if session_id is not None:
            self.store.delete(id_hash=id_hash(session_id))

    def login_form_token(self, *, cookie: str | None) -> tuple[str, str]:
        """(cookie value, form value) of the login form's pre-session CSRF token; a still-good cookie is kept,
        so two tabs with the login form both work."""
        if cookie and (nonce := self._login_nonce(cookie)) is not None:
            return cookie, nonce
        nonce = secrets.token_urlsafe(24)
        return self._login.sign(nonce).decode(), nonce

    def _login_nonce(self, cookie: str) -> str | None:
        try:
            return self._login.unsign(cookie, max_age=LOGIN_FORM_SECONDS).decode()
        except (BadSignature, UnicodeError):
            return None

    def login_form_valid(self, *, cookie: str | None, offered: str) -> bool:
        """Whether a login form came back with the token this browser's cookie was given."""
        nonce = self._login_nonce(cookie) if cookie else None
        return nonce is not None and hmac.compare_digest(nonce.encode(), offered.encode())
