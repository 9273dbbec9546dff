"""Who is using the admin, as the gate (service.web.admin_gate) found out from the headers, for the routes.

The gate authenticates every request before its body is read and leaves a Passage in
the ASGI scope; the routes only read it. A form that changes something must also carry
the session's CSRF token (scripts with a bearer token are exempt: a browser never sends one
on its own).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from service.web.identity import AdminIdentity
from service.web.logins import Logins
from service.web.sessions import Sessions

SCOPE_KEY = "infoline.admin"


@dataclass(frozen=True, slots=True)
class Passage:
    """What the gate hands the routes: who it let in (None on the public login routes) and its helpers."""

    identity: AdminIdentity | None
    sessions: Sessions
    logins: Logins


class LoginRequired(Exception):
    """No valid credentials: the caller is shown the login form with 401."""


def passage(request: Request) -> Passage:
    """Dependency: what the gate found. Every /admin request passes the gate; none reaches a route without."""
    found = request.scope.get(SCOPE_KEY)
    if found is None:
        raise RuntimeError("the admin gate is not installed in front of the admin routes")
    return found


def require_admin(gate: Annotated[Passage, Depends(passage)]) -> AdminIdentity:
    """Dependency: the admin the gate let in (a second lock: the gate already answered 401 without one)."""
    if gate.identity is None:
        raise LoginRequired()
    return gate.identity


def require_form_admin(
    identity: Annotated[AdminIdentity, Depends(require_admin)], csrf: Annotated[str, Form()] = ""
) -> AdminIdentity:
    """Dependency for state-changing forms: a browser session must send its CSRF token."""
    if not identity.by_bearer and not hmac.compare_digest(csrf.encode(), identity.csrf.encode()):
        raise HTTPException(403, "The form is stale or came from another site; reload the page and try again.")
    return identity


Gate = Annotated[Passage, Depends(passage)]
Admin = Annotated[AdminIdentity, Depends(require_admin)]
AdminForm = Annotated[AdminIdentity, Depends(require_form_admin)]
