"""The inbound endpoint: one bare ASGI endpoint for every provider's messages, one instance per channel.

What is the same for every provider lives here: the method, the content type, reading the body once
under its cap, hang-ups, metrics and the "answered" log line. What is the provider's (verifying,
decoding, encoding the reply) is its channel's (service.channels). The dispatcher hands the endpoint
its path before FastAPI's request layers (bench/: they cost as much as the line's own work).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from prometheus_client.metrics import Counter
from starlette.types import Receive, Scope, Send

from service.channels.base import TEXT_TYPE, Channel, Encoded, InboundMessage, InboundRequest, Refused, Reply
from service.observability import LATENCY, REQUESTS

log = logging.getLogger("service.web.inbound")
Answer = Callable[[InboundMessage], Awaitable[Reply]]
NO_HEADERS: Sequence[tuple[bytes, bytes]] = ()


class InboundEndpoint:
    """Answer one provider's calls: its encoded reply, or a 4xx that says what is wrong."""

    def __init__(self, *, channel: Channel, answer: Answer, max_body: int, public_base_url: str | None) -> None:
        self.channel, self.answer = channel, answer
        self.reader = PostReader.of(channel, what="message", max_body=max_body, public_base_url=public_base_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            status, extra = 200, NO_HEADERS
            try:
                encoded = await self.reply_to(scope, receive)
            except Refused as refused:
                log.info("refused", extra={"status": refused.status, "reason": refused.reason})
                REQUESTS.labels(outcome=f"refused_{refused.status}").inc()
                status, extra = refused.status, refused.headers
                encoded = Encoded(TEXT_TYPE, (refused.reason + "\n").encode())
            if encoded is not None:  # else the caller hung up: nobody to answer
                await send_response(send, status=status, encoded=encoded, extra=extra)
        finally:
            LATENCY.observe(time.perf_counter() - started)

    async def reply_to(self, scope: Scope, receive: Receive) -> Encoded | None:
        """The encoded reply to one call (None if the caller hung up); Refused for any call not answered."""
        request = await self.reader.read(scope, receive)
        if request is None:
            return None
        message = self.channel.verify_and_decode(request)
        reply = await self.answer(message)
        encoded = self.channel.encode(reply, message)  # first: a reply it refuses (503) is not counted answered
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
        return encoded


class Provider(Protocol):
    provider: str
    content_type: str


@dataclass(frozen=True, slots=True)
class PostReader:
    """One provider's POSTs read whole under a cap; the refusals' texts made once, naming the provider,
    never the request's content."""

    content_type: bytes
    max_body: int
    public_base_url: str | None
    not_post: str
    wrong_type: str
    too_large: str

    @classmethod
    def of(cls, channel: Provider, *, what: str, max_body: int, public_base_url: str | None) -> PostReader:
        """The reader of a channel's calls, each one `what` ("message", "delivery receipt")."""
        provider, content_type = channel.provider, channel.content_type
        return cls(content_type.encode(), max_body, public_base_url, f"{provider} POSTs its {what}s here.",
                   f"Expected {content_type}, as {provider} sends.",
                   f"The request is larger than any {provider} {what}.")  # fmt: skip

    async def read(self, scope: Scope, receive: Receive) -> InboundRequest | None:
        """The request (None if the caller hung up); Refused 405, 415 or 413 for a call no provider makes."""
        if scope["method"] != "POST":
            raise Refused(405, self.not_post, (b"allow", b"POST"))
        headers = dict(scope["headers"])
        if headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower() != self.content_type:
            raise Refused(415, self.wrong_type)
        body = await read_body(receive, headers=headers, limit=self.max_body, too_large=self.too_large)
        if body is None:
            return None
        return InboundRequest(
            method=scope["method"],
            url=called_url(scope, headers=headers, public_base_url=self.public_base_url),
            path=scope["path"],
            query=scope["query_string"],
            headers=headers,
            body=body,
        )


async def send_response(send: Send, *, status: int, encoded: Encoded, extra: Sequence[tuple[bytes, bytes]]) -> None:
    """Send a whole response; the request-id layer adds its header on the way out."""
    headers = [(b"content-type", encoded.content_type), (b"content-length", b"%d" % len(encoded.body)), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": encoded.body})


async def read_body(receive: Receive, *, headers: dict[bytes, bytes], limit: int, too_large: str) -> bytes | None:
    """The body; Refused 413 as soon as it passes limit (a chunked body declares no length); None if
    the caller hung up."""
    declared = headers.get(b"content-length", b"0")
    if not declared.isdigit() or int(declared) > limit:
        raise Refused(413, too_large)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, too_large)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def called_url(scope: Scope, *, headers: dict[bytes, bytes], public_base_url: str | None) -> str:
    """The URL as called: the configured public base (behind a proxy) or the request's own (its one Host
    header, checked by web/hosts.py before anything gets here). Built per request, never cached: the
    query string is the caller's, unverified, and a cache keyed on it is memory the caller fills."""
    query = scope["query_string"]
    suffix = scope["path"] + (f"?{query.decode('latin-1')}" if query else "")
    if public_base_url:
        return public_base_url.rstrip("/") + suffix
    return f"{scope['scheme']}://{headers.get(b'host', b'').decode('latin-1')}{suffix}"


@functools.lru_cache(maxsize=2)
def outcome_counter(replied: bool) -> Counter:
    """The outcome's counter child, looked up once."""
    return REQUESTS.labels(outcome="answered" if replied else "silent")
