"""The admin's gate: authentication before any body is read, origins, body caps, and the headers on every answer."""

import pytest

from tests.conftest import BASE_URL
from tests.web.admin_helpers import CSRF_FIELD, admin_client, call_asgi, login_csrf, with_tokens

BEARER = {"Authorization": "Bearer alice-token-123"}
MIB = 1024 * 1024
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
}


@pytest.fixture
def admin_settings(settings):
    return with_tokens(settings)


@pytest.fixture
def client(admin_settings):
    with admin_client(admin_settings, origin=False) as test_client:
        yield test_client


def multipart(size: int, boundary: str = "b0undary") -> tuple[dict, list[bytes]]:
    """Headers and 1 MiB chunks of a multipart upload whose file is `size` bytes."""
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="po"; filename="es.po"\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"x" * size + tail
    chunks = [body[at : at + MIB] for at in range(0, len(body), MIB)]
    return {"content-type": f"multipart/form-data; boundary={boundary}"}, chunks


@pytest.mark.parametrize(
    "credentials",
    [{}, {"authorization": "Bearer wrong"}, {"cookie": "infoline_admin=Zm9yZ2Vk.c2lnbmF0dXJl"}],
    ids=["none", "wrong-bearer", "forged-cookie"],
)
@pytest.mark.parametrize("path", ["/admin/translations/es", "/admin/simulator", "/admin/translations/es/rollback"])
def test_an_unauthenticated_30_mib_upload_is_refused_without_reading_a_byte(client, credentials, path):
    headers, chunks = multipart(30 * MIB)
    headers |= {"origin": BASE_URL, "content-length": str(sum(map(len, chunks))), **credentials}
    status, _, body, consumed = client.portal.call(call_asgi, client.app, "POST", path, headers, chunks)
    assert status == 401 and b"Admin token" in body
    assert consumed == 0


def test_an_unauthenticated_chunked_upload_is_refused_without_reading_a_byte(client):
    headers, chunks = multipart(30 * MIB)
    headers |= {"origin": BASE_URL, "transfer-encoding": "chunked"}
    status, _, _, consumed = client.portal.call(
        call_asgi, client.app, "POST", "/admin/translations/es", headers, chunks
    )
    assert status == 401 and consumed == 0


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/admin/translations/es", 2 * MIB, 413),
        ("/admin/simulator", 100 * 1024, 413),
        ("/admin/translations/es/rollback", 100 * 1024, 413),
        ("/admin/logout", 100 * 1024, 413),
        ("/admin/login", 100 * 1024, 413),
    ],
)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_authenticated_oversized_body_gets_413(client, path, size, status, declared):
    headers, chunks = multipart(size)
    chunks = [chunk[at : at + 64 * 1024] for chunk in chunks for at in range(0, len(chunk), 64 * 1024)]
    length = {"content-length": str(sum(map(len, chunks)))} if declared else {"transfer-encoding": "chunked"}
    headers |= {**BEARER, **length}
    answer, response_headers, _, consumed = client.portal.call(call_asgi, client.app, "POST", path, headers, chunks)
    assert answer == status
    assert response_headers["x-frame-options"] == "DENY"
    # Declared: refused before a byte is read. Chunked: reading stops at the first chunk past the cap.
    cap = MIB + 64 * 1024 if path == "/admin/translations/es" else 64 * 1024
    assert consumed == 0 if declared else cap < consumed <= cap + 64 * 1024


def test_a_po_file_just_under_the_wire_cap_but_over_1_mib_is_413(client):
    response = client.post("/admin/translations/es", headers=BEARER, files={"po": ("es.po", b"#" * (MIB + 10))})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": BASE_URL}, 200),
        ({"Origin": BASE_URL + ":443"}, 200),
        ({"Origin": "HTTPS://LINE.TEST"}, 200),
        ({"Referer": BASE_URL + "/admin/simulator"}, 200),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "http://line.test"}, 403),
        ({"Origin": "https://line.test.evil.example"}, 403),
        ({"Origin": BASE_URL + ":8443"}, 403),
        ({"Referer": "https://evil.example/admin/simulator"}, 403),
        ({"Origin": "https://evil.example", "Referer": BASE_URL + "/admin"}, 403),
        ({}, 403),
        ({"Authorization": "Bearer alice-token-123"}, 200),
        ({"Authorization": "Bearer alice-token-123", "Origin": "https://evil.example"}, 200),
    ],
    ids=[
        "same",
        "default-port",
        "case",
        "referer-same",
        "other-site",
        "null",
        "http",
        "suffix",
        "other-port",
        "referer-other",
        "origin-wins",
        "none",
        "bearer",
        "bearer-other-origin",
    ],
)
def test_every_browser_post_must_come_from_this_site(client, headers, status):
    csrf = logged_in_csrf(client)
    response = client.post("/admin/simulator", data={"csrf": csrf, "body": "HER2"}, headers=headers)
    assert response.status_code == status
    assert ("came from another site" in response.text) == (status == 403)


def logged_in_csrf(client) -> str:
    """Log in (sending this site's Origin, which the client does not by itself); the session's CSRF token."""
    client.post(
        "/admin/login",
        data={"label": "alice", "token": "alice-token-123", "csrf": login_csrf(client)},
        headers={"Origin": BASE_URL},
    )
    return CSRF_FIELD.search(client.get("/admin/simulator").text).group(1)


@pytest.mark.parametrize(
    ("headers", "status"), [({"Origin": BASE_URL}, 303), ({"Origin": "https://evil.example"}, 403), ({}, 403)]
)
def test_the_login_form_must_come_from_this_site_too(client, headers, status):
    response = client.post(
        "/admin/login",
        data={"label": "alice", "token": "alice-token-123", "csrf": login_csrf(client)},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == status


def test_with_a_public_base_url_only_its_origin_is_this_site(admin_settings):
    settings = admin_settings.model_copy(update={"public_base_url": "https://admin.example.org/"})
    with admin_client(settings, origin=False) as client:
        form = {"label": "alice", "token": "alice-token-123", "csrf": login_csrf(client)}
        assert client.post("/admin/login", data=form, headers={"Origin": BASE_URL}).status_code == 403
        response = client.post(
            "/admin/login", data=form, headers={"Origin": "https://admin.example.org"}, follow_redirects=False
        )
        assert response.status_code == 303


def requests_of_every_kind(client, admin_settings):
    """(what, response) for every kind of answer the admin gives."""
    from starlette.testclient import TestClient

    from service.app import create_app

    yield "login page", client.get("/admin/login")
    yield "401", client.get("/admin/usage")
    yield "403 origin", client.post("/admin/simulator", headers={"Origin": "https://evil.example"})
    yield (
        "403 login form",
        client.post("/admin/login", data={"label": "alice", "token": "x", "csrf": "x"}, headers={"Origin": BASE_URL}),
    )
    yield "stylesheet", client.get("/admin/static/admin.css")
    yield "bearer page", client.get("/admin", headers=BEARER)
    yield "bearer csv", client.get("/admin/usage.csv", headers=BEARER)
    yield "bearer po", client.get("/admin/translations/es.po", headers=BEARER)
    yield "404 locale", client.get("/admin/translations/xx.po", headers=BEARER)
    yield "404 route", client.get("/admin/nothing-here", headers=BEARER)
    yield "422 query", client.get("/admin/usage?days=many", headers=BEARER)
    yield "422 upload", client.post("/admin/translations/es", headers=BEARER, files={"po": ("es.po", b"garbage")})
    yield "413", client.post("/admin/simulator", headers=BEARER, content=b"x" * 100_000)
    yield "303", client.post("/admin/translations/es/rollback", headers=BEARER, follow_redirects=False)
    logged_in_csrf(client)
    yield "session page", client.get("/admin/usage")
    yield "403 csrf", client.post("/admin/simulator", headers={"Origin": BASE_URL}, data={"csrf": "stale"})
    with TestClient(create_app(admin_settings.model_copy(update={"admin_tokens": None})), base_url=BASE_URL) as off:
        yield "404 off", off.get("/admin")
    for _ in range(6):
        last = client.get("/admin", headers={"Authorization": "Bearer wrong"})
    yield "429", last


def test_every_admin_answer_carries_the_security_headers(client, admin_settings):
    kinds = set()
    for what, response in requests_of_every_kind(client, admin_settings):
        kinds.add(response.status_code)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (what, response.status_code, name)
    assert {200, 303, 401, 403, 404, 413, 422, 429} <= kinds


@pytest.mark.parametrize("path", ["/admin", "/admin/simulator", "/admin/translations", "/admin/usage", "/admin/login"])
def test_no_page_has_inline_style_or_script(client, path):
    from tests.web.admin_helpers import text_line

    text_line(client, "HER2")  # so the usage page draws its chart
    logged_in_csrf(client)
    page = client.get(path).text
    assert "<style" not in page and " style=" not in page and "<script" not in page
    assert '<link rel="stylesheet" href="/admin/static/admin.css">' in page
    assert client.get("/admin/static/admin.css").headers["content-type"].startswith("text/css")


def test_a_database_away_while_the_gate_checks_is_a_503_and_a_forged_cookie_needs_no_query(client, monkeypatch):
    from service.store import StoreUnavailable
    from service.store.admin_sessions import AdminSessionStore

    def away(*args, **kwargs):
        raise StoreUnavailable("OperationalError")

    monkeypatch.setattr(AdminSessionStore, "nth_newest_failure", away)
    monkeypatch.setattr(AdminSessionStore, "get", away)
    # A forged cookie is refused by its signature alone: no query, so no 503.
    assert client.get("/admin", headers={"Cookie": f"infoline_admin={'x' * 43}.{'y' * 27}"}).status_code == 401
    bearer = client.get("/admin", headers=BEARER)
    assert bearer.status_code == 503 and "database is unavailable" in bearer.text
    assert bearer.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
