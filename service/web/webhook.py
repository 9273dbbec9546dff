"""POST /sms: Twilio's inbound messaging webhook.

A plain Starlette endpoint: it reads the raw body once and signs it once; the
core never sees the request.
"""

from __future__ import annotations

import functools
import logging

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from service.channels import twilio
from service.answer import answer
from service.line import Line
from service.observability import LATENCY, REQUESTS

log = logging.getLogger("service.web.webhook")
FORM_TYPE = "application/x-www-form-urlencoded"
TWIML_TYPE = "application/xml"


def called_url(request: Request, public_base_url: str | None) -> str:
    """The URL Twilio signed: the configured public base (behind a proxy) or the request's own."""
    scope = request.scope
    host = request.headers.get("host", "")
    server = tuple(scope.get("server") or ())
    return _url(scope["scheme"], host, server, scope["path"], scope["query_string"], public_base_url)


@functools.lru_cache(maxsize=256)
def _url(scheme: str, host: str, server, path: str, query: bytes, public_base_url: str | None) -> str:
    # The same few URLs come in again and again: build each once.
    suffix = path + (f"?{query.decode('latin-1')}" if query else "")
    if public_base_url:
        return public_base_url.rstrip("/") + suffix
    if not host and server:
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}{suffix}"


def refuse(status: int, reason: str) -> Response:
    """A clear 4xx whose text names the problem, never the request's content."""
    log.info("refused", extra={"status": status, "reason": reason})
    REQUESTS.labels(outcome=f"refused_{status}").inc()
    return PlainTextResponse(reason + "\n", status_code=status)


@functools.lru_cache(maxsize=4)
def store_limiter(size: int) -> CapacityLimiter:
    """As many threads at the database as it has pooled connections: more would only queue for one,
    opening and closing connections on every burst."""
    return CapacityLimiter(size)


async def read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes limit (a chunked body declares no length)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def sms(request: Request) -> Response:
    with LATENCY.time():
        return await _sms(request)


async def _sms(request: Request) -> Response:
    line: Line = request.app.state.line
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != FORM_TYPE:
        return refuse(415, f"Expected {FORM_TYPE}, as Twilio sends.")
    declared = request.headers.get("content-length", "0")
    body = None
    if declared.isdigit() and int(declared) <= line.settings.max_request_bytes:
        body = await read_at_most(request, line.settings.max_request_bytes)
    if body is None:
        return refuse(413, "The request is larger than any Twilio message.")
    try:
        form = twilio.parse_form(body)
    except twilio.FormError as error:
        return refuse(400, str(error))
    if line.validator is None or not twilio.is_signed(
        validator=line.validator,
        url=called_url(request, line.settings.public_base_url),
        form=form,
        signature=request.headers.get(twilio.SIGNATURE_HEADER),
        settings_header=request.headers.get(twilio.SIGNATURE_SETTINGS_HEADER),
    ):
        return refuse(403, "The request is not signed by Twilio for this URL.")
    try:
        message = twilio.decode(form)
    except twilio.FormError as error:
        return refuse(400, str(error))
    if line.store.inline:
        # Embedded SQLite answers in tens of microseconds: a hop to a worker
        # thread would cost more than the query, and one writer never waits on another.
        reply = answer(line=line, message=message)
    else:
        reply = await to_thread.run_sync(functools.partial(answer, line=line, message=message),
                                         limiter=store_limiter(line.store.pool_size))
    outcome_counter(reply.body is not None).inc()
    if log.isEnabledFor(logging.INFO):  # spares building the line's fields when it is not written
        log.info("answered", extra={"intent": reply.intent.value, "topic": reply.topic, "locale": reply.locale,
                                    "channel": message.channel, "segments": reply.segments,
                                    "replied": reply.body is not None})
    return Response(twilio.twiml(reply), media_type=TWIML_TYPE)


@functools.lru_cache(maxsize=2)
def outcome_counter(replied: bool):
    return REQUESTS.labels(outcome="answered" if replied else "silent")
