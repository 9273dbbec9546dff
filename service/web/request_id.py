"""One id per request, for every route: set for its log lines and sent back in X-Request-Id."""

from __future__ import annotations

import itertools
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.observability import REQUEST_ID

HEADER = b"x-request-id"


def new_request_id() -> str:
    """A new id for a request. Never the caller's (X-Request-Id, a provider's idempotency token): it is
    read before any signature is checked, so it could carry a number into the logs. The id is sent
    back in X-Request-Id for a proxy to log beside its own."""
    return f"{_ID_PREFIX}{next(_ids):08x}"


# Ids this process makes: random per process (workers and restarts differ), then counted
# (a uuid4 per request cost 3% of the webhook's time).
_ID_PREFIX = secrets.token_hex(4)
_ids = itertools.count(1)


class RequestIdMiddleware:
    """Gives every HTTP request an id for its log lines, and its response the X-Request-Id header.

    The outermost layer, so that every response carries the id, refusals of the Host check included.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = new_request_id()
        header = (HEADER, request_id.encode())
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append(header)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
