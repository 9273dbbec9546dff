"""The admin's gate: a plain ASGI layer in front of every /admin route.

FastAPI reads a route's Form and File bodies before the route's dependencies run, so a
dependency cannot authenticate before a body is read. The gate does, from the headers
alone (a bearer token, or the session cookie), before the router is reached, and checks
that the admin's role may make the request (web/roles.py): a request it refuses is
answered without its body ever being received. It also checks the origin
of every browser POST, caps bodies (413 from Content-Length, and while a chunked body
streams), and puts the security headers on every admin response, refusals included.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.admin_tokens import Accounts
from service.line import Line
from service.store import StoreUnavailable
from service.store.admin_sessions import AdminSessionStore
from service.translations import MAX_PO_BYTES
from service.web.admin_auth import SCOPE_KEY, Passage
from service.web.admin_pages import login_page, plain, throttled_page
from service.web.identity import bearer_token
from service.web.logins import Attempt, Logins
from service.web.roles import refusal
from service.web.sessions import COOKIE, Sessions, forget_cookie

PREFIX = "/admin"
PUBLIC = frozenset({("GET", "/admin/login"), ("POST", "/admin/login"), ("GET", "/admin/static/admin.css")})
SAFE_METHODS = frozenset({"GET", "HEAD"})
UPLOAD = re.compile(r"/admin/translations/[^/]+")
FORM_BODY_BYTES = 64 * 1024
UPLOAD_BODY_BYTES = MAX_PO_BYTES + FORM_BODY_BYTES  # a PO file at the limit and the multipart form around it
# No script, no inline style, nothing framed or framing, forms only to this site.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on its own form posts.
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]
SECURITY_HEADER_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)
ADMIN_OFF = "The admin is off: set ADMIN_TOKEN to turn it on."
CROSS_SITE = "This form came from another site (or says nowhere where it came from); open the admin and try again."
TOO_LARGE = "Content Too Large: the admin takes PO files up to 1 MiB and forms up to 64 KiB."
UNAVAILABLE = "The database is unavailable right now; try again in a moment."


def is_admin(path: str) -> bool:
    """Whether a path is the admin's (the gate's business)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def origin(url: str) -> str | None:
    """scheme://host[:port] of a URL, lower case, default port dropped (None: no host in it)."""
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    netloc = netloc.removesuffix({"http": ":80", "https": ":443"}.get(scheme, "\0"))
    return f"{scheme}://{netloc}" if scheme in ("http", "https") and netloc else None


def same_origin(request: Request, public_base_url: str | None) -> bool:
    """Whether a browser request came from this site: its Origin (or, without one, its Referer) is ours.

    Ours: PUBLIC_BASE_URL's origin when set, else the request's scheme and Host (Host is validated upstream).
    """
    own = (
        origin(public_base_url)
        if public_base_url
        else origin(f"{request.url.scheme}://{request.headers.get('host', '')}")
    )
    offered = request.headers.get("origin") or request.headers.get("referer")
    return own is not None and offered is not None and origin(offered) == own


def body_limit(method: str, path: str) -> int:
    """How many body bytes a request may send: a PO upload more, every other form little."""
    return UPLOAD_BODY_BYTES if method == "POST" and UPLOAD.fullmatch(path) else FORM_BODY_BYTES


def declared_length(request: Request) -> int:
    """The Content-Length a request declares (0 when none or not a number: the stream is counted instead)."""
    value = request.headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else 0  # "²".isdigit(), yet int() refuses it


class SecuredSend:
    """send() that puts the security headers on the response, and remembers whether it started."""

    def __init__(self, send: Send):
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            kept = [
                (name, value) for name, value in message.get("headers", []) if name.lower() not in SECURITY_HEADER_NAMES
            ]
            message = {**message, "headers": kept + SECURITY_HEADERS}
        await self.send(message)


class AdminGate:
    """ASGI: authenticate, check the origin and cap the body of every /admin request, before the router."""

    def __init__(self, app: ASGIApp, *, line: Line) -> None:
        self.app = app
        self.line = line
        self.sessions = Sessions(hash_key=line.hash_key, store=AdminSessionStore(line.store), settings=line.settings)
        self.logins = Logins(sessions=self.sessions, settings=line.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_admin(scope["path"]):
            await self.app(scope, receive, send)
            return
        secured = SecuredSend(send)
        try:
            await self._gate(scope, receive, secured)
        except StoreUnavailable:  # the gate's own queries; the routes' become 503 in the app's handler
            if secured.started:
                raise
            await plain(503, UNAVAILABLE)(scope, receive, secured)
        except Exception:
            if not secured.started:  # still a 500, but with the admin's headers; the error goes on to be logged
                await plain(500, "Internal Server Error")(scope, receive, secured)
            raise

    async def _gate(self, scope: Scope, receive: Receive, send: SecuredSend) -> None:
        settings = self.line.settings
        accounts = settings.admin_accounts()
        request = Request(scope)  # given no receive: the gate can read headers, never the body
        if not accounts:
            return await plain(404, ADMIN_OFF)(scope, receive, send)
        bearer = bearer_token(request.headers.get("authorization", ""))
        if bearer is None and request.method not in SAFE_METHODS and not same_origin(request, settings.public_base_url):
            return await plain(403, CROSS_SITE)(scope, receive, send)
        identity = None
        if (request.method, scope["path"]) not in PUBLIC:
            attempt = await run_in_threadpool(self._identify, request, bearer, accounts)
            if attempt.identity is None:
                return await self._refuse(request, attempt)(scope, receive, send)
            identity = attempt.identity
            # Before the body cap: a request the role may not make is refused (403, not 413) with no byte read.
            if (text := refusal(role=identity.role, method=request.method, path=scope["path"])) is not None:
                return await plain(403, text)(scope, receive, send)
        limit = body_limit(request.method, scope["path"])
        if declared_length(request) > limit:
            return await plain(413, TOO_LARGE)(scope, receive, send)
        scope[SCOPE_KEY] = Passage(identity=identity, sessions=self.sessions, logins=self.logins)
        # Starlette's limiter counts a chunked body as it streams and answers 413 past the limit.
        await RequestBodyLimitMiddleware(self.app, max_body_size=limit)(scope, receive, send)

    def _identify(self, request: Request, bearer: str | None, accounts: Accounts) -> Attempt:
        if bearer is not None:
            return self.logins.bearer(address=client_address(request), token=bearer, accounts=accounts)
        cookie = request.cookies.get(COOKIE)
        return Attempt(self.sessions.find(cookie=cookie, accounts=accounts) if cookie else None)

    def _refuse(self, request: Request, attempt: Attempt):
        if attempt.retry_after is not None:
            return throttled_page(
                request=request, sessions=self.sessions, retry_after=attempt.retry_after, who="from here"
            )
        response = login_page(request=request, sessions=self.sessions, status_code=401)
        if COOKIE in request.cookies:  # an ended or forged session: the browser can forget it
            forget_cookie(response, COOKIE, secure=self.line.settings.admin_cookie_secure)
        return response


def client_address(request: Request) -> str:
    """The client's address as the server sees it (a proxy's, unless uvicorn is told to trust its headers)."""
    return request.client.host if request.client else "unknown"
