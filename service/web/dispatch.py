"""Explicit ASGI composition: exact paths to bare endpoints, everything else (and lifespan) to FastAPI.

The inbound endpoints skip FastAPI's request layers on purpose (bench/: those layers cost as much as
everything the line itself does for a message); the layers both share (the request id, the Host
check) wrap the dispatcher instead, so each runs once for every request.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send


class Dispatch:
    """HTTP requests to a path in the table go to its endpoint; all else goes to the fallback app."""

    def __init__(self, *, routes: Mapping[str, ASGIApp], fallback: ASGIApp) -> None:
        self.routes = dict(routes)
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # One dict lookup per request; the lifespan and anything not HTTP are the fallback's.
        endpoint = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        await (endpoint or self.fallback)(scope, receive, send)
