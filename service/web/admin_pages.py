"""What the admin's routes and its gate both answer with: templates, the login page, plain-text refusals."""

from __future__ import annotations

import functools
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from service.web.roles import allows
from service.web.sessions import LOGIN_COOKIE, LOGIN_FORM_SECONDS, Sessions, set_cookie

STATIC = Path(__file__).parent / "static"


@functools.lru_cache(maxsize=1)
def templates():
    """The page templates, loaded at the first admin page: a worker that only answers texts never pays for Jinja2."""
    from fastapi.templating import Jinja2Templates
    from jinja2 import StrictUndefined

    found = Jinja2Templates(directory=Path(__file__).parent / "templates")
    # A name a page was not given (or uses above its {% set %}) fails the render, in the tests, instead of
    # reading as false: review.html once told every reviewer she could not approve.
    found.env.undefined = StrictUndefined
    found.env.globals["may"] = allows  # a page shows only the links and forms its reader's role may use
    return found


@functools.lru_cache(maxsize=1)
def stylesheet() -> bytes:
    """The admin's one stylesheet (a file, not inline: the pages' CSP allows no inline style)."""
    return (STATIC / "admin.css").read_bytes()


def login_page(
    *,
    request: Request,
    sessions: Sessions,
    status_code: int = 200,
    error: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The login form, with this browser's pre-session CSRF token in a cookie and in the form."""
    cookie, form_token = sessions.login_form_token(cookie=request.cookies.get(LOGIN_COOKIE))
    html = templates().get_template("login.html").render(identity=None, error=error, csrf=form_token)
    response = HTMLResponse(html, status_code, headers=headers)
    set_cookie(response, LOGIN_COOKIE, cookie, max_age=LOGIN_FORM_SECONDS, secure=sessions.settings.admin_cookie_secure)
    return response


def plain(status_code: int, text: str, headers: dict[str, str] | None = None) -> Response:
    """A short plain-text answer (refusals the gate gives before any page is rendered)."""
    return PlainTextResponse(text.rstrip("\n") + "\n", status_code, headers=headers)


def throttled_page(*, request: Request, sessions: Sessions, retry_after: int, who: str = "") -> HTMLResponse:
    """The login form again, 429 with Retry-After: too many failed logins (who: "from here" when the
    throttle is the client's rather than the label's)."""
    error = f"Too many failed logins{' ' + who if who else ''}: wait a while and try again."
    headers = {"Retry-After": str(retry_after)}
    return login_page(request=request, sessions=sessions, status_code=429, error=error, headers=headers)
