"""The generic inbound endpoint with a made-up provider: what it does for every channel, and what it hands one."""

from __future__ import annotations

import anyio
import pytest
from starlette.testclient import TestClient

from service.channels.base import Encoded, InboundMessage, InboundRequest, Refused
from service.core.types import Intent, Reply
from service.web.inbound import InboundEndpoint
from service.web.request_id import RequestIdMiddleware

FORM = "application/x-www-form-urlencoded"
LIMIT = 64


class Echo:
    """A provider whose calls carry key=ok and whose replies are the body as plain text."""

    provider = "Echo"
    content_type = FORM

    def __init__(self) -> None:
        self.seen: list[InboundRequest] = []

    def verify_and_decode(self, request: InboundRequest) -> InboundMessage:
        self.seen.append(request)
        if ("key", "ok") not in request.params():
            raise Refused(403, "Not Echo's key.", (b"x-echo", b"refused"))
        if request.body == b"bad":
            raise Refused(400, "Not an Echo message.")
        return InboundMessage(message_id="m1", sender="+15550001111", recipient="+15550002222", body="hi")

    def encode(self, reply: Reply, message: InboundMessage) -> Encoded:
        return Encoded(b"text/plain", (reply.body or "").encode())


async def answer_hi(message: InboundMessage) -> Reply:
    return Reply(body=f"echo {message.body}", intent=Intent.MENU, locale="en")


def endpoint(channel: Echo, public_base_url: str | None = None) -> InboundEndpoint:
    return InboundEndpoint(channel=channel, answer=answer_hi, max_body=LIMIT, public_base_url=public_base_url)


def post(client: TestClient, **kwargs):
    return client.post("/in?key=ok", **{"headers": {"content-type": FORM}, "content": b"x=1", **kwargs})


def chunks():
    for _ in range(10):
        yield b"x" * 10


@pytest.mark.parametrize(
    ("case", "call", "status", "text"),
    [
        ("valid", lambda c: post(c), 200, "echo hi"),
        ("a form type with a charset", lambda c: post(c, headers={"content-type": FORM + "; charset=UTF-8"}), 200, ""),
        ("refused by the channel", lambda c: c.post("/in", headers={"content-type": FORM}, content=b"x"), 403, "key"),
        ("undecodable for the channel", lambda c: post(c, content=b"bad"), 400, "Not an Echo message"),
        ("wrong method", lambda c: c.get("/in?key=ok"), 405, "Echo POSTs its messages here"),
        ("wrong content type", lambda c: post(c, headers={"content-type": "application/json"}), 415, "as Echo sends"),
        ("no content type", lambda c: post(c, headers={}), 415, ""),
        ("declared too large", lambda c: post(c, content=b"x" * (LIMIT + 1)), 413, "larger than any Echo message"),
        ("chunked past the cap", lambda c: post(c, content=chunks()), 413, ""),
        (
            "a length that is no number",
            lambda c: post(c, headers={"content-type": FORM, "content-length": "9x"}),
            413,
            "",
        ),
    ],
)
def test_every_channel_gets_the_same_generic_checks(case, call, status, text):
    channel = Echo()
    response = call(TestClient(RequestIdMiddleware(endpoint(channel))))
    assert response.status_code == status, case
    assert text in response.text, case
    assert response.headers.get_list("x-request-id") and len(response.headers.get_list("x-request-id")) == 1
    assert int(response.headers["content-length"]) == len(response.content)
    if status in (405, 413, 415):
        assert channel.seen == [], case  # refused before the provider sees anything
    if status == 405:
        assert response.headers["allow"] == "POST"
    if case == "refused by the channel":
        assert response.headers["x-echo"] == "refused"  # the channel's own headers go out


@pytest.mark.parametrize(
    ("public_base_url", "url"),
    [(None, "http://line.test/in?key=ok&b=2"), ("https://public.example/", "https://public.example/in?key=ok&b=2")],
)
def test_the_channel_gets_the_url_as_called_the_headers_and_the_body(public_base_url, url):
    channel = Echo()
    client = TestClient(endpoint(channel, public_base_url), base_url="http://line.test")
    client.post("/in?key=ok&b=2", headers={"content-type": FORM, "x-sig": "abc"}, content=b"x=1")
    (request,) = channel.seen
    assert (request.method, request.url, request.path, request.body) == ("POST", url, "/in", b"x=1")
    assert request.params() == [("key", "ok"), ("b", "2")] and request.header(b"x-sig") == "abc"
    assert request.header(b"x-missing") is None


def test_a_caller_that_hangs_up_gets_nothing_and_is_not_answered():
    channel, sent = Echo(), []
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "path": "/in",
        "query_string": b"key=ok",
        "headers": [(b"content-type", FORM.encode()), (b"content-length", b"3")],
    }

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    anyio.run(endpoint(channel), scope, receive, send)
    assert sent == [] and channel.seen == []
