"""Logs as JSON lines with a request id, and Prometheus metrics. Neither ever holds a number or a body."""

from __future__ import annotations

import itertools
import logging
import secrets
import sys
from contextvars import ContextVar

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")

REQUESTS = Counter("infoline_webhook_requests_total", "Webhook requests by outcome", ["outcome"])
REPLIES = Counter("infoline_replies_total", "Replies sent", ["intent", "topic", "locale", "program", "channel"])
SEGMENTS = Counter("infoline_segments_sent_total", "SMS segments the replies cost", ["program", "encoding"])
RATE_LIMITED = Counter("infoline_rate_limited_total", "Replies withheld by a program's reply cap", ["program"])
DEGRADED = Counter("infoline_store_degraded_total", "Messages answered while the database was away", ["step"])
LATENCY = Histogram(
    "infoline_webhook_seconds",
    "Webhook handling time",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(level: str) -> None:
    """JSON lines on stderr for every logger, uvicorn's included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # No access log: its lines carry the client's address and the query string. The webhook writes its own
    # "answered" line; uvicorn's protocol logs access whenever this logger has a handler, even through
    # propagation, as it did in worker processes (serve --workers N).
    access = logging.getLogger("uvicorn.access")
    access.handlers[:], access.propagate = [], False


def new_request_id() -> str:
    """A new id for a request. Never the caller's (X-Request-Id, Twilio's idempotency token): it is
    read before any signature is checked, so it could carry a number into the logs. The id is sent
    back in X-Request-Id for a proxy to log beside its own."""
    return f"{_ID_PREFIX}{next(_ids):08x}"


# Ids this process makes: random per process (workers and restarts differ), then counted
# (a uuid4 per request cost 3% of the webhook's time).
_ID_PREFIX = secrets.token_hex(4)
_ids = itertools.count(1)


class RequestIdMiddleware:
    """Gives every request an id for its log lines."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
