"""Admin sessions: random ids kept server-side, expiry, logout and token changes that hold on every replica."""

import hashlib
import hmac

import pytest
from sqlalchemy import text

from service.app import create_app
from tests.web.admin_helpers import CSRF_FIELD, admin_client, log_in, login_csrf, try_login, with_tokens

IDLE, ABSOLUTE = 30 * 60, 12 * 60 * 60


@pytest.fixture
def admin_settings(settings):
    return with_tokens(settings)


@pytest.fixture
def client(admin_settings):
    with admin_client(admin_settings) as test_client:
        yield test_client


def age_sessions(app, *, created: float = 0, seen: float = 0) -> None:
    """Move every stored session's times into the past, as if that much time had gone by."""
    with app.state.line.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE admin_sessions SET created_at = created_at - :created, last_seen_at = last_seen_at - :seen"),
            {"created": created, "seen": seen},
        )


def session_cookie(client) -> str:
    return client.cookies.get("infoline_admin", path="/admin")


def with_cookie(client, value: str, app=None):
    """GET /admin with exactly this session cookie (on another replica when app is given)."""
    client.cookies.clear()
    if app is None:
        return client.get("/admin", headers={"Cookie": f"infoline_admin={value}"})
    with admin_client(None, app=app) as replica:
        return replica.get("/admin", headers={"Cookie": f"infoline_admin={value}"})


def flipped(value: str) -> str:
    """The value with its first character changed (always changed)."""
    return ("B" if value[0] == "A" else "A") + value[1:]


def forged(client, cookie):
    return flipped(cookie)


def tampered(client, cookie):
    session_id, _, signature = cookie.rpartition(".")
    return f"{session_id}.{signature[::-1]}"


def old_style(client, cookie):
    return "alice:" + hmac.new(b"alice-token-123", b"session:alice", hashlib.sha256).hexdigest()


def idle_too_long(client, cookie):
    age_sessions(client.app, seen=IDLE + 5)
    return cookie


def idle_not_quite(client, cookie):
    age_sessions(client.app, seen=IDLE - 120)
    return cookie


def past_absolute_expiry(client, cookie):
    age_sessions(client.app, created=ABSOLUTE + 5)  # used a second ago, but opened too long ago
    return cookie


def logged_out(client, cookie):
    csrf = CSRF_FIELD.search(client.get("/admin/simulator").text).group(1)
    assert client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    return cookie


def replica_with(tokens):
    def make(client, cookie):
        # The same database and key: another replica (or this one restarted), reconfigured.
        return cookie, create_app(with_tokens(client.app.state.line.settings, tokens))

    return make


def logged_out_on_another_replica(client, cookie):
    other = create_app(client.app.state.line.settings)
    with admin_client(None, app=other) as replica:
        csrf = CSRF_FIELD.search(replica.get("/admin/simulator", headers={"Cookie": f"infoline_admin={cookie}"}).text)
        replica.post("/admin/logout", data={"csrf": csrf.group(1)}, headers={"Cookie": f"infoline_admin={cookie}"})
    return cookie


@pytest.mark.parametrize(
    ("case", "status"),
    [
        (lambda client, cookie: cookie, 200),
        (forged, 401),
        (tampered, 401),
        (old_style, 401),
        (idle_not_quite, 200),
        (idle_too_long, 401),
        (past_absolute_expiry, 401),
        (logged_out, 401),
        (logged_out_on_another_replica, 401),
        (replica_with("bob:bob-token-456"), 401),  # alice's token removed
        (replica_with("alice:a-new-token-789,bob:bob-token-456"), 401),  # alice's token changed
        (replica_with("alice:alice-token-123,bob:a-new-token-789"), 200),  # only bob's changed
        (replica_with("admin:alice-token-123,bob:bob-token-456"), 401),  # the same token under another label
    ],
    ids=[
        "valid",
        "forged",
        "tampered",
        "old-style",
        "idle-29min",
        "idle-expired",
        "absolute-expired",
        "logged-out",
        "logged-out-elsewhere",
        "token-removed",
        "token-changed",
        "other-token-changed",
        "label-renamed",
    ],
)
def test_a_session_is_good_only_while_it_lives_server_side(client, case, status):
    log_in(client)
    cookie = case(client, session_cookie(client))
    cookie, app = cookie if isinstance(cookie, tuple) else (cookie, None)
    response = with_cookie(client, cookie, app)
    assert response.status_code == status
    assert ("Every reply, every language" in response.text) == (status == 200)


def test_an_ended_session_is_gone_from_the_database(client):
    log_in(client)
    cookie = session_cookie(client)
    idle_too_long(client, cookie)
    with_cookie(client, cookie)
    assert client.app.state.line.store.direct.scalar("SELECT count(*) FROM admin_sessions") == 0


def test_the_database_holds_only_a_hash_of_the_session_id(client):
    log_in(client)
    session_id = session_cookie(client).rpartition(".")[0]
    with client.app.state.line.store.engine.connect() as connection:
        stored = connection.execute(text("SELECT id_hash, token_fingerprint FROM admin_sessions")).one()
    assert stored.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert "alice-token-123" not in str(stored) and session_id not in str(stored)


def test_every_login_gets_a_new_random_session_and_csrf_token_never_derived_from_the_token(admin_settings):
    seen = set()
    for _ in range(2):
        with admin_client(admin_settings) as client:
            csrf = log_in(client)
            seen.add((session_cookie(client), csrf))
            assert csrf != hmac.new(b"alice-token-123", b"csrf:alice", hashlib.sha256).hexdigest()
    cookies, tokens = zip(*seen, strict=True)
    assert len(set(cookies)) == 2 and len(set(tokens)) == 2


def test_the_session_cookie_is_http_only_strict_secure_under_admin_and_expires(client):
    response = try_login(client, "bob", "bob-token-456")
    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith("infoline_admin=")
    ).lower()
    for attribute in ("httponly", "samesite=strict", "secure", "path=/admin", f"max-age={ABSOLUTE}"):
        assert attribute in cookie
    assert "bob" not in cookie


def test_the_secure_flag_follows_the_setting(admin_settings):
    with admin_client(admin_settings.model_copy(update={"admin_cookie_secure": False})) as client:
        cookie = try_login(client).headers["set-cookie"].lower()
    assert "secure" not in cookie and "httponly" in cookie


def test_expiry_follows_the_settings(admin_settings):
    settings = admin_settings.model_copy(update={"admin_session_idle_seconds": 60, "admin_session_max_seconds": 600})
    with admin_client(settings) as client:
        assert "max-age=600" in try_login(client).headers["set-cookie"].lower()
        age_sessions(client.app, seen=61)
        assert client.get("/admin").status_code == 401


@pytest.mark.parametrize(
    ("form", "cookie", "status"),
    [
        ("good", "good", 303),
        ("missing", "good", 403),
        ("good", "missing", 403),
        ("other", "good", 403),
        ("good", "forged", 403),
    ],
)
def test_the_login_form_carries_its_own_csrf_token(client, form, cookie, status):
    token = login_csrf(client)
    jar_value = client.cookies.get("infoline_login", path="/admin")
    data = {"label": "alice", "token": "alice-token-123"}
    data |= {"good": {"csrf": token}, "missing": {}, "other": {"csrf": token[::-1]}}[form]
    client.cookies.clear()
    cookies = {"good": f"infoline_login={jar_value}", "missing": "", "forged": f"infoline_login={flipped(jar_value)}"}
    response = client.post("/admin/login", data=data, headers={"Cookie": cookies[cookie]}, follow_redirects=False)
    assert response.status_code == status


def test_a_logged_out_browser_can_log_in_again(client):
    log_in(client)
    logged_out(client, session_cookie(client))
    assert client.get("/admin").status_code == 401
    log_in(client)
    assert client.get("/admin").status_code == 200


def test_sessions_and_the_throttle_work_on_both_backends(settings, database_url):
    with admin_client(with_tokens(settings, database_url=database_url)) as client:
        log_in(client)
        first = session_cookie(client)
        client.cookies.clear()
        log_in(client)
        second = logged_out(client, session_cookie(client))
        assert with_cookie(client, second).status_code == 401
        assert with_cookie(client, first).status_code == 200  # another session of the same label lives on
        client.cookies.clear()
        for _ in range(5):
            assert try_login(client, "bob", "wrong").status_code == 403
        assert try_login(client, "bob", "bob-token-456").status_code == 429
