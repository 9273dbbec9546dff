"""POST /sms: Twilio's inbound messaging webhook, a bare ASGI endpoint.

The app hands it /sms before FastAPI's request layers (bench/: those layers
cost as much as everything the line itself does for a message). It reads the
raw body once and signs it once; the core never sees the request.
"""

from __future__ import annotations

import functools
import logging
import time

from service.channels import twilio
from service.line import Line
from service.observability import LATENCY, REQUEST_ID, REQUESTS, new_request_id

log = logging.getLogger("service.web.webhook")
PATH = "/sms"
FORM_TYPE = "application/x-www-form-urlencoded"
TWIML_TYPE = b"application/xml"
TEXT_TYPE = b"text/plain; charset=utf-8"
TOO_LARGE = "The request is larger than any Twilio message."
SIGNATURE = twilio.SIGNATURE_HEADER.lower().encode()
SIGNATURE_SETTINGS = twilio.SIGNATURE_SETTINGS_HEADER.lower().encode()


class Refused(Exception):
    """A request answered with a 4xx whose text names the problem, never the request's content."""

    def __init__(self, status: int, reason: str, *headers: tuple[bytes, bytes]):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, list(headers)


def called_url(scope: dict, headers: dict[bytes, bytes], public_base_url: str | None) -> str:
    """The URL Twilio signed: the configured public base (behind a proxy) or the request's own."""
    host = headers.get(b"host", b"").decode("latin-1")
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


async def read_body(receive, headers: dict[bytes, bytes], limit: int) -> bytes | None:
    """The body; Refused as soon as it passes limit (a chunked body declares no length); None if the
    caller hung up."""
    declared = headers.get(b"content-length", b"0")
    if not declared.isdigit() or int(declared) > limit:
        raise Refused(413, TOO_LARGE)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, TOO_LARGE)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def sms(scope: dict, receive, send, line: Line) -> None:
    """Answer one webhook call: TwiML, or a 4xx that says what is wrong."""
    headers = dict(scope["headers"])
    request_id = new_request_id()
    token = REQUEST_ID.set(request_id)
    started = time.perf_counter()
    try:
        status, content_type, extra = 200, TWIML_TYPE, ()
        try:
            body = await twiml_for(scope, receive, headers, line)
        except Refused as refused:
            log.info("refused", extra={"status": refused.status, "reason": refused.reason})
            REQUESTS.labels(outcome=f"refused_{refused.status}").inc()
            status, content_type, extra = refused.status, TEXT_TYPE, refused.headers
            body = (refused.reason + "\n").encode()
        if body is not None:  # else Twilio hung up: nobody to answer
            await respond(send, status, content_type, body, request_id, extra)
    finally:
        LATENCY.observe(time.perf_counter() - started)
        REQUEST_ID.reset(token)


async def respond(send, status: int, content_type: bytes, body: bytes, request_id: str, extra=()) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def twiml_for(scope: dict, receive, headers: dict[bytes, bytes], line: Line) -> bytes | None:
    """The TwiML answering a signed Twilio form (None if the caller hung up)."""
    if scope["method"] != "POST":
        raise Refused(405, "Twilio POSTs its messages here.", (b"allow", b"POST"))
    content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if content_type != FORM_TYPE.encode():
        raise Refused(415, f"Expected {FORM_TYPE}, as Twilio sends.")
    body = await read_body(receive, headers, line.settings.max_request_bytes)
    if body is None:
        return None
    try:
        form = twilio.parse_form(body)
        twilio.refuse_ambiguous(form)
    except twilio.FormError as error:
        raise Refused(400, str(error)) from None
    signature = headers.get(SIGNATURE)
    settings = headers.get(SIGNATURE_SETTINGS)
    if line.validator is None or not twilio.is_signed(
        validator=line.validator,
        url=called_url(scope, headers, line.settings.public_base_url),
        form=form,
        signature=signature.decode("latin-1") if signature is not None else None,
        settings_header=settings.decode("latin-1") if settings is not None else None,
    ):
        raise Refused(403, "The request is not signed by Twilio for this URL.")
    try:
        message = twilio.decode(form)
    except twilio.FormError as error:
        raise Refused(400, str(error)) from None
    # Answered with the others of this moment, in one transaction (service.batching, service.flow).
    reply = await line.batcher.answer(message)
    outcome_counter(reply.body is not None).inc()
    if log.isEnabledFor(logging.INFO):  # spares building the line's fields when it is not written
        log.info(
            "answered",
            extra={
                "intent": reply.intent.value,
                "topic": reply.topic,
                "locale": reply.locale,
                "channel": message.channel,
                "segments": reply.segments,
                "replied": reply.body is not None,
            },
        )
    return twilio.twiml(reply)


@functools.lru_cache(maxsize=2)
def outcome_counter(replied: bool):
    return REQUESTS.labels(outcome="answered" if replied else "silent")
