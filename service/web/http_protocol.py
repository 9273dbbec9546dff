"""uvicorn's httptools protocol with what it lacks against a hostile client: deadlines and caps.

uvicorn waits for a request's head and body as long as a client likes, so fifty connections sending a
byte a second (slowloris) stayed open for good; it queues pipelined requests without limit (40
connections writing 20,000 GETs each took the process to 1.9 GB); and httptools builds a header value
by repeated concatenation, so one endless header held the event loop for seconds.

A protocol, not a middleware: most requests arrive in one read and never need a timer, and the
app's own receive() stays as cheap as uvicorn's (a timeout around every receive() cost a webhook
5 µs). A request still incomplete after a read gets one timer: its head must be all there
REQUEST_HEAD_TIMEOUT_SECONDS after it began to wait, its body REQUEST_BODY_TIMEOUT_SECONDS after its
head plus a second per REQUEST_BODY_MIN_BYTES_PER_SECOND it declares (a 1 MiB translation over a
slow link gets its time). Past it: 408 if nothing was answered yet, and the connection is closed.
A head over MAX_HEAD_BYTES gets 431, more than MAX_PIPELINED requests waiting on one connection
400, and the connection is closed.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from service.settings import Settings

TOO_SLOW = b"The request came too slowly.\n"
TOO_LARGE = b"The request's headers are larger than this line reads.\n"
TOO_MANY = b"Too many requests sent ahead of their answers on one connection.\n"
# Browsers send a few KiB of headers, Twilio less; a head still open past this is no request.
MAX_HEAD_BYTES = 64 * 1024
# Requests a client may send ahead of their answers on one connection (Twilio and browsers send none).
MAX_PIPELINED = 16
# The most body the slowest body deadline allows for: the largest the line reads (a PO upload, 1 MiB, in
# its form), so a declared 10^15 bytes earns no more time than that.
MAX_TIMED_BODY_BYTES = 2 * 1024 * 1024


class Guarded(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines for a request's head and body, and caps on its head's
    size and on the requests queued behind it.

    Only data_received is wrapped, and it reads uvicorn's own state after each read: wrapping the
    parser's per-request callbacks cost the benchmark more than they do here. A timer is armed only
    after a read that leaves a request incomplete, which for nearly every request never happens.
    """

    head_seconds: float = 10.0
    body_seconds: float = 20.0
    body_bytes_per_second: float = 8192.0

    _timer: asyncio.TimerHandle | None = None
    _timed_head: bool = True  # whether the armed timer is a head's deadline (else a body's)
    _head_scope: object | None = None  # the request whose head bytes are counted (compared by identity only)
    _head_bytes: int = 0

    @classmethod
    def configure(cls, settings: Settings) -> None:
        """This process's deadlines, from the settings (serve and every worker call it)."""
        cls.head_seconds = settings.request_head_timeout_seconds
        cls.body_seconds = settings.request_body_timeout_seconds
        cls.body_bytes_per_second = settings.request_body_min_bytes_per_second

    # uvicorn's own override narrows asyncio's BaseTransport to Transport; this one follows it.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(head=True)  # a connection that never sends a byte is a request that never comes

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        if len(self.pipeline) > MAX_PIPELINED:
            self._refuse(400, TOO_MANY)
            return
        cycle = self.cycle
        # uvicorn makes a request's scope when its first byte comes and its cycle when its head is done.
        in_head = cycle is None or cycle.scope is not self.scope
        if in_head and self.scope is not None and self._count_head(len(data)) > MAX_HEAD_BYTES:
            self._refuse(431, TOO_LARGE)
        elif in_head or cycle.more_body:
            if self._timer is None or self._timed_head != in_head:
                self._disarm()
                self._arm(head=in_head)
        else:
            if self._timer is not None:
                self._disarm()
            if cycle.response_complete and self.timeout_keep_alive_task is None:
                # Bytes that start no request (a lone CRLF) cancelled uvicorn's keep-alive timer: idle again.
                self.timeout_keep_alive_task = self.loop.call_later(
                    self.timeout_keep_alive, self.timeout_keep_alive_handler
                )

    def on_response_complete(self) -> None:
        # Answered before its body was read (a 413, a 401): uvicorn would read on and discard the rest,
        # as much as the client declares (42 GB in 15 s was pushed past one 413). Closed instead.
        if self.cycle is not None and self.cycle.more_body and not self.transport.is_closing():
            self.server_state.total_requests += 1
            self._disarm()
            self.transport.close()
            return
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _count_head(self, size: int) -> int:
        if self._head_scope is not self.scope:
            self._head_scope, self._head_bytes = self.scope, 0
        self._head_bytes += size  # the whole read: an upper bound
        return self._head_bytes

    def _arm(self, *, head: bool) -> None:
        self._timed_head = head
        if head:
            delay = self.head_seconds
        else:
            declared = next((value for name, value in self.headers if name == b"content-length"), b"0")
            size = int(declared) if declared.isdigit() else 0  # bytes: ASCII digits only
            delay = self.body_seconds + min(size, MAX_TIMED_BODY_BYTES) / self.body_bytes_per_second
        self._timer = self.loop.call_later(delay, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._timed_head:  # no request (or no whole head) yet to answer
            self.transport.close()
            return
        self._refuse(408, TOO_SLOW)

    def _refuse(self, status: int, text: bytes) -> None:
        """Answer status (unless an answer has begun) and close the connection."""
        self._disarm()
        self.pipeline.clear()
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(
                b"".join(
                    [
                        STATUS_LINE[status],
                        b"content-type: text/plain; charset=utf-8\r\n",
                        b"content-length: %d\r\n" % len(text),
                        b"connection: close\r\n\r\n",
                        text,
                    ]
                )
            )
        self.transport.close()
