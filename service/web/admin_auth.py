"""Who may use the admin: a bearer token for scripts, a login cookie for browsers, CSRF tokens for forms.

Nothing is stored server-side: the cookie and the CSRF token are HMACs under
the admin's own token, so every replica can check them and changing a token
logs its sessions out.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

COOKIE = "infoline_admin"


@dataclass(frozen=True, slots=True)
class AdminIdentity:
    label: str
    csrf: str
    by_bearer: bool


class LoginRequired(Exception):
    """No valid credentials: the caller is shown the login form with 401."""


def _mac(token: str, purpose: str, label: str) -> str:
    return hmac.new(token.encode(), f"{purpose}:{label}".encode(), hashlib.sha256).hexdigest()


def session_cookie(label: str, token: str) -> str:
    """The cookie value that proves a login as `label`."""
    return f"{label}:{_mac(token, 'session', label)}"


def identity_for_token(credentials: dict[str, str], offered: str) -> AdminIdentity | None:
    """The admin whose token this is; every token is compared, each in constant time."""
    found = None
    for label, token in credentials.items():
        if hmac.compare_digest(token.encode(), offered.encode()):
            found = AdminIdentity(label, _mac(token, "csrf", label), by_bearer=False)
    return found


def identify(request: Request, credentials: dict[str, str]) -> AdminIdentity | None:
    """The admin making this request, from a bearer header or the login cookie."""
    scheme, _, offered = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and offered:
        identity = identity_for_token(credentials, offered.strip())
        return AdminIdentity(identity.label, identity.csrf, by_bearer=True) if identity else None
    label, _, mac = request.cookies.get(COOKIE, "").partition(":")
    token = credentials.get(label)
    if token and hmac.compare_digest(mac.encode(), _mac(token, "session", label).encode()):
        return AdminIdentity(label, _mac(token, "csrf", label), by_bearer=False)
    return None


def require_admin(request: Request) -> AdminIdentity:
    """Dependency: the admin, or 404 when the admin is off, or the login form (401)."""
    credentials = request.app.state.line.settings.admin_credentials()
    if not credentials:
        raise HTTPException(404, "The admin is off: set ADMIN_TOKEN to turn it on.")
    identity = identify(request, credentials)
    if identity is None:
        raise LoginRequired()
    return identity


def require_form_admin(
    identity: Annotated[AdminIdentity, Depends(require_admin)], csrf: Annotated[str, Form()] = ""
) -> AdminIdentity:
    """Dependency for state-changing forms: a browser session must send its CSRF token."""
    if not identity.by_bearer and not hmac.compare_digest(csrf.encode(), identity.csrf.encode()):
        raise HTTPException(403, "The form is stale or came from another site; reload the page and try again.")
    return identity


Admin = Annotated[AdminIdentity, Depends(require_admin)]
AdminForm = Annotated[AdminIdentity, Depends(require_form_admin)]
