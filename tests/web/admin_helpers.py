"""What the admin's tests share: an app with labelled tokens, logging in through the form, raw ASGI calls."""

from __future__ import annotations

import contextlib
import re
from xml.etree import ElementTree

from pydantic import SecretStr
from starlette.testclient import TestClient

from service.app import create_app
from tests.conftest import BASE_URL, sign, twilio_form

TOKENS = "alice:alice-token-123,bob:bob-token-456"
ORIGIN = {"Origin": BASE_URL}
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')


def with_tokens(settings, tokens: str = TOKENS, **more):
    """Settings with labelled admin tokens (and any other admin setting)."""
    return settings.model_copy(update={"admin_tokens": SecretStr(tokens), **more})


@contextlib.contextmanager
def admin_client(settings, *, app=None, address: str = "198.51.100.7", origin: bool = True):
    """A browser-like client of the admin: it sends this site's Origin on every request unless told not to."""
    headers = dict(ORIGIN) if origin else {}
    with TestClient(app or create_app(settings), base_url=BASE_URL, headers=headers, client=(address, 50000)) as client:
        yield client


def login_csrf(client) -> str:
    """The login form's pre-session token (its cookie is now in the client); "" when the form has none."""
    found = CSRF_FIELD.search(client.get("/admin/login").text)
    return found.group(1) if found else ""


def try_login(client, label: str = "alice", token: str = "alice-token-123", **extra):
    """Post the login form as a browser would."""
    data = {"label": label, "token": token, "csrf": login_csrf(client), **extra}
    return client.post("/admin/login", data=data, follow_redirects=False)


def log_in(client, label: str = "alice", token: str = "alice-token-123") -> str:
    """Log in through the form; the session's CSRF token."""
    assert try_login(client, label, token).status_code == 303
    return CSRF_FIELD.search(client.get("/admin/simulator").text).group(1)


def text_line(client, body, sender="+15551230001"):
    """One signed text to the line; the reply's text."""
    form = twilio_form(body, From=sender)
    response = client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})
    return ElementTree.fromstring(response.text).find("Message").text


async def call_asgi(app, method: str, path: str, headers: dict[str, str], chunks: list[bytes]):
    """One request straight into the ASGI app; (status, headers, body, body bytes the app received).

    The body is handed over one chunk per receive(), so what the app never asked for is never counted.
    """
    consumed = 0
    pending = list(chunks)
    raw = [(b"host", b"line.test"), *((k.lower().encode(), v.encode()) for k, v in headers.items())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("198.51.100.9", 50000),
        "server": ("line.test", 443),
    }
    response = {"status": None, "headers": {}, "body": b""}

    async def receive():
        nonlocal consumed
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        if message["type"] == "http.response.start":
            response["status"] = message["status"]
            response["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            response["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return response["status"], response["headers"], response["body"], consumed
