"""Logs as JSON lines with a request id, and Prometheus metrics. Neither ever holds a number or a body."""

from __future__ import annotations

import logging
import sys

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter

# The id itself is the web's (service.web.request_id): one layer gives every request its own.
from service.web.request_id import REQUEST_ID

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
