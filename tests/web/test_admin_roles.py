"""Roles through the real app: who may make which /admin request, refused before the body, and the pages that follow."""

import re

import pytest

from service.app import create_app
from tests.web.admin_helpers import admin_client, call_asgi, log_in, with_tokens

TOKENS = "ada:ada-admin-token-123,tom:translator:tom-translator-456,rev:reviewer:rev-reviewer-789"
BEARERS = {"admin": "ada-admin-token-123", "translator": "tom-translator-456", "reviewer": "rev-reviewer-789"}
ALL, EDITORS = {"admin", "translator", "reviewer"}, {"admin", "translator"}
MIB = 1024 * 1024
NAV = re.compile(r"<header>.*?<form", re.S)
LINK = re.compile(r'<a href="([^"]+)">')

# (method, path, the roles that get past the gate). Where a route does not exist yet (review), a role let
# through gets the router's 404 and a refused one the gate's 403.
TABLE = [
    ("GET", "/admin", ALL),
    ("GET", "/admin/static/admin.css", ALL),
    ("GET", "/admin/static/later/more.css", ALL),
    ("POST", "/admin/logout", ALL),
    ("GET", "/admin/translations", ALL),
    ("HEAD", "/admin/translations", ALL),
    ("GET", "/admin/translations/messages.pot", ALL),
    ("GET", "/admin/translations/es.po", ALL),
    ("GET", "/admin/simulator", ALL),
    ("POST", "/admin/simulator", ALL),
    ("GET", "/admin/review", ALL),
    ("GET", "/admin/review/es", ALL),
    ("POST", "/admin/translations/es", EDITORS),
    ("POST", "/admin/translations/es/rollback", EDITORS),
    ("POST", "/admin/review/es/approve", {"reviewer"}),
    ("POST", "/admin/review/es/revoke", {"reviewer", "admin"}),
    ("GET", "/admin/usage", {"admin"}),
    ("HEAD", "/admin/usage", {"admin"}),
    ("GET", "/admin/usage.csv", {"admin"}),
    ("GET", "/admin/outbox", {"admin"}),
    ("GET", "/admin/channels", {"admin"}),  # a page added later: closed to the other roles until a row opens it
    ("POST", "/admin/usage", {"admin"}),
    ("POST", "/admin/translations", {"admin"}),
    ("GET", "/admin/review/es/approve", {"admin"}),  # the approve row is a POST
    ("POST", "/admin/review/es/approve/again", {"admin"}),
    ("GET", "/admin/translations/esXpo", {"admin"}),  # the row's "." is a dot
    ("GET", "/admin/review/es/fr", {"admin"}),  # {locale} is one path segment
]


@pytest.fixture
def admin_settings(settings):
    return with_tokens(settings, TOKENS)


@pytest.fixture
def client(admin_settings):
    with admin_client(admin_settings) as test_client:
        yield test_client


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {BEARERS[role]}"}


@pytest.mark.parametrize(("method", "path", "allowed"), TABLE, ids=[f"{m} {p}" for m, p, _ in TABLE])
def test_each_role_gets_past_the_gate_only_where_the_table_lets_it(client, method, path, allowed):
    answers = {role: client.request(method, path, headers=bearer(role)) for role in BEARERS}
    assert {role: answer.status_code != 403 for role, answer in answers.items()} == {r: r in allowed for r in BEARERS}
    for role, answer in answers.items():
        if role not in allowed:
            assert method == "HEAD" or answer.text.startswith(f"Your role ({role}) cannot ")
            assert (
                answer.headers["x-frame-options"] == "DENY"
                and "frame-ancestors" in answer.headers["content-security-policy"]
            )


@pytest.mark.parametrize(
    ("role", "method", "path", "text"),
    [
        (
            "translator",
            "POST",
            "/admin/review/es/approve",
            "Your role (translator) cannot approve translations; ask a reviewer.",
        ),
        ("admin", "POST", "/admin/review/es/approve", "Your role (admin) cannot approve translations; ask a reviewer."),
        (
            "translator",
            "POST",
            "/admin/review/es/revoke",
            "Your role (translator) cannot revoke approvals; ask an admin or a reviewer.",
        ),
        (
            "reviewer",
            "POST",
            "/admin/translations/es",
            "Your role (reviewer) cannot upload translations; ask an admin or a translator.",
        ),
        ("reviewer", "GET", "/admin/usage.csv", "Your role (reviewer) cannot open this page; ask an admin."),
        ("translator", "POST", "/admin/usage", "Your role (translator) cannot make this change; ask an admin."),
    ],
)
def test_a_refusal_says_what_the_role_cannot_do_and_whom_to_ask(client, role, method, path, text):
    answer = client.request(method, path, headers=bearer(role))
    assert (answer.status_code, answer.text) == (403, text + "\n")
    assert answer.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("role", "declared", "status"),
    [
        ("translator", True, 403),
        ("translator", False, 403),
        ("admin", True, 403),
        ("admin", False, 403),
        ("reviewer", True, 413),  # let through, it meets the body cap
    ],
    ids=["translator-content-length", "translator-chunked", "admin-content-length", "admin-chunked", "reviewer"],
)
def test_a_refused_role_is_answered_before_a_byte_of_its_body_is_read(client, role, declared, status):
    chunks = [b"x" * MIB] * 30
    length = {"content-length": str(30 * MIB)} if declared else {"transfer-encoding": "chunked"}
    headers = {"content-type": "application/x-www-form-urlencoded", **length, **bearer(role)}
    path = "/admin/review/es/approve"
    answer, _, _, consumed = client.portal.call(call_asgi, client.app, "POST", path, headers, chunks)
    # The role check comes before the body cap: a refused role gets 403, never 413.
    assert (answer, consumed) == (status, 0)


def cookie_on(app, cookie: str, method: str, path: str):
    """One request with exactly this session cookie, to another replica."""
    with admin_client(None, app=app) as replica:
        return replica.request(method, path, headers={"Cookie": f"infoline_admin={cookie}"})


def refused_by_role(answer) -> bool:
    """Whether the gate refused a request for its role (a route's own 403, e.g. for a stale form, is not)."""
    return answer.status_code == 403 and answer.text.startswith("Your role (")


def test_a_sessions_role_follows_the_settings_at_its_next_request(client):
    log_in(client, "tom", "tom-translator-456")
    assert refused_by_role(client.post("/admin/review/es/approve"))
    assert not refused_by_role(client.post("/admin/translations/es"))  # let through (to the route's CSRF check)
    cookie = client.cookies.get("infoline_admin", path="/admin")
    settings = client.app.state.line.settings
    # The same database and token; tom's role changed in the configuration (another replica, or a restart).
    reviewer = create_app(with_tokens(settings, TOKENS.replace("tom:translator:", "tom:reviewer:")))
    stale = cookie_on(reviewer, cookie, "POST", "/admin/review/es/approve")  # let through, to the route's CSRF check
    assert stale.status_code == 403 and not refused_by_role(stale)
    assert refused_by_role(cookie_on(reviewer, cookie, "POST", "/admin/translations/es"))
    assert "role <strong>reviewer</strong>" in cookie_on(reviewer, cookie, "GET", "/admin").text
    admin = create_app(with_tokens(settings, TOKENS.replace("tom:translator:", "tom:")))
    assert cookie_on(admin, cookie, "GET", "/admin/usage").status_code == 200
    assert refused_by_role(client.get("/admin/usage"))  # and here tom is a translator still
    # Tom's label gone: the session ends, as before roles, here too.
    gone = create_app(with_tokens(settings, "ada:ada-admin-token-123"))
    assert cookie_on(gone, cookie, "GET", "/admin").status_code == 401
    assert client.get("/admin/usage").status_code == 401


@pytest.mark.parametrize(
    ("role", "label", "links"),
    [
        (
            "admin",
            "ada",
            ["/admin", "/admin/simulator", "/admin/translations", "/admin/review", "/admin/usage", "/admin/outbox"],
        ),
        ("translator", "tom", ["/admin", "/admin/simulator", "/admin/translations", "/admin/review"]),
        ("reviewer", "rev", ["/admin", "/admin/simulator", "/admin/translations", "/admin/review"]),
    ],
)
def test_the_nav_shows_only_what_the_role_may_open_and_the_overview_says_who(client, role, label, links):
    page = client.get("/admin", headers=bearer(role)).text
    assert LINK.findall(NAV.search(page).group(0)) == links
    assert f"signed in as <strong>{label}</strong>, role <strong>{role}</strong>" in page
