"""Logs as JSON (or, in a terminal, text) lines with a request id, and Prometheus metrics. Neither ever
holds a number or a body."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from typing import Literal, TextIO

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter

# The request a log line belongs to; one ASGI layer (service.web.request_id) sets it for every request.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
REQUESTS = Counter("infoline_webhook_requests_total", "Webhook requests by outcome", ["outcome"])
REPLIES = Counter("infoline_replies_total", "Replies sent", ["intent", "topic", "locale", "program", "channel"])
SEGMENTS = Counter("infoline_segments_sent_total", "SMS segments the replies cost", ["program", "encoding"])
RATE_LIMITED = Counter("infoline_rate_limited_total", "Replies withheld by a program's reply cap", ["program"])
# A reply's fate as gateways report it; cost per delivered answer is DELIVERY_COST / DELIVERIES{state="delivered"}.
DELIVERIES = Counter(
    "infoline_deliveries_total", "Replies by what became of them", ["program", "locale", "channel", "gateway", "state"]
)
DELIVERY_COST = Counter(
    "infoline_delivery_cost_total",
    "What gateways said the replies cost",
    ["program", "locale", "channel", "gateway", "currency"],
)
OUTBOX_SENDS = Counter("infoline_outbox_sends_total", "The outbox's tries by outcome", ["outcome"])
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


# What every LogRecord has; whatever else a record carries came in `extra` and is shown as key=value.
# Not shown either: uvicorn's colored copy of its message, and the request id, which the line puts last.
_NOT_EXTRAS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "request_id",
}


class TextFormatter(logging.Formatter):
    """One readable line per record: time, level, logger, message, then the extras as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(name)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        """The record's line (and its traceback, if any, below it)."""
        line, *rest = super().format(record).split("\n", 1)
        extras = [(key, value) for key, value in vars(record).items() if key not in _NOT_EXTRAS]
        request_id = getattr(record, "request_id", "-")  # set by RequestIdFilter, absent on records it did not see
        if request_id != "-":
            extras.append(("request_id", request_id))
        head = " ".join([line, *(f"{key}={_shown(value)}" for key, value in extras)])
        return "\n".join([head, *rest])


def _shown(value: object) -> str:
    """A value as key=value shows it: quoted when it has spaces or quotes, so the line still splits."""
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or any(c in text for c in ' "=\n') else text


def chosen_format(*, log_format: str, stream: TextIO) -> Literal["json", "text"]:
    """The format to write: for "auto", text on a terminal (a person reads it), else JSON (a collector does)."""
    if log_format in ("json", "text"):
        return "json" if log_format == "json" else "text"
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def configure_logging(level: str, *, log_format: str = "auto", stream: TextIO | None = None) -> None:
    """One line per record on stderr for every logger, uvicorn's included: JSON, or text (see chosen_format)."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    if chosen_format(log_format=log_format, stream=stream) == "text":
        handler.setFormatter(TextFormatter())
    else:
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
