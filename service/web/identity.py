"""Who is using the admin: a label from the configured tokens, found from a bearer token or a session, and its role."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from service.admin_tokens import Accounts


@dataclass(frozen=True, slots=True)
class AdminIdentity:
    label: str
    csrf: str  # the session's random CSRF token ("" for a bearer token: scripts need none)
    by_bearer: bool
    # Looked up by label in the current settings on every request, never stored: a changed role applies at once.
    role: str


def identity_for_token(accounts: Accounts, offered: str) -> AdminIdentity | None:
    """The admin whose token this is (as a bearer); every token is compared, each in constant time."""
    found = None
    for entry in accounts.values():
        if hmac.compare_digest(entry.token.encode(), offered.encode()):
            found = AdminIdentity(entry.label, "", by_bearer=True, role=entry.role)
    return found


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    scheme, _, offered = authorization.partition(" ")
    return (offered.strip() or None) if scheme.lower() == "bearer" else None
