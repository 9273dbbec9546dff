"""/admin through the real app: every route, every refusal, and translation updates served at once."""

import io
import time

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from service.app import create_app
from service.catalogs import parse_po, po_bytes
from tests.conftest import BASE_URL
from tests.store_helpers import count_records
from tests.web.admin_helpers import ORIGIN, admin_client, log_in, text_line, try_login, with_tokens

GET_ROUTES = [
    "/admin",
    "/admin/simulator",
    "/admin/translations",
    "/admin/translations/messages.pot",
    "/admin/translations/es.po",
    "/admin/usage",
    "/admin/usage.csv",
    "/admin/outbox",
    "/admin/review",
    "/admin/review/es",
]
POST_ROUTES = [
    "/admin/logout",
    "/admin/simulator",
    "/admin/translations/es",
    "/admin/translations/es/rollback",
    "/admin/review/es/approve",
    "/admin/review/es/revoke",
]


@pytest.fixture
def admin_settings(settings):
    return with_tokens(settings)


@pytest.fixture
def client(admin_settings):
    with admin_client(admin_settings) as test_client:
        yield test_client


@pytest.mark.parametrize("path", GET_ROUTES + POST_ROUTES)
def test_the_admin_is_off_without_a_token(settings, path):
    with TestClient(create_app(settings), base_url=BASE_URL, headers=ORIGIN) as client:
        response = client.request("POST" if path in POST_ROUTES else "GET", path)
    assert response.status_code == 404 and "ADMIN_TOKEN" in response.text


@pytest.mark.parametrize("path", GET_ROUTES + POST_ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic YWxpY2U="},
        {"Cookie": "infoline_admin=alice:forged"},
        {"Cookie": "infoline_admin=Zm9yZ2Vk.c2lnbmF0dXJl"},
    ],
)
def test_every_route_refuses_without_valid_credentials(client, path, headers):
    response = client.request("POST" if path in POST_ROUTES else "GET", path, headers=headers)
    assert response.status_code == 401
    assert "Admin token" in response.text and "msgid" not in response.text and "Replies" not in response.text


def test_a_wrong_token_is_refused_with_403(client):
    response = try_login(client, "alice", "alice-token-12")
    assert response.status_code == 403 and "not recognised" in response.text


@pytest.mark.parametrize("path", GET_ROUTES)
def test_every_page_answers_a_logged_in_admin_and_a_bearer(client, path):
    assert client.get(path, headers={"Authorization": "Bearer bob-token-456"}).status_code == 200
    log_in(client)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", POST_ROUTES)
def test_browser_forms_without_the_csrf_token_are_refused(client, path):
    log_in(client)
    assert client.post(path, data={"csrf": "stale", "body": "HER2"}).status_code == 403


def test_logout_ends_the_session(client):
    csrf = log_in(client)
    client.post("/admin/logout", data={"csrf": csrf})
    assert client.get("/admin").status_code == 401


def test_the_overview_shows_every_reply_in_every_language_with_its_cost(client):
    log_in(client)
    page = client.get("/admin").text
    for locale in ("en", "es", "fr", "pt", "sw", "ar", "hi", "zh", "vi", "tl"):
        assert f'<th lang="{locale}">' in page
    assert "Ask your care team what is right for you." in page
    assert 'lang="ar" dir="rtl"' in page
    assert "<mark>" in page  # characters that force UCS-2 are highlighted
    assert "gsm7: 2 × GSM-7" in page and "unicode: 4 × UCS-2" in page
    assert client.get("/admin?locale=es").text.count('<th lang="') == 1


def test_the_overview_shows_which_languages_each_program_sends_without_accents(client):
    log_in(client)
    page = client.get("/admin").text
    hope = page[page.index("Hope Clinic outreach") :]
    sent_plain, translations = hope[: hope.index("</tr>")].rsplit("<td>", 2)[1:]
    assert "es" in sent_plain and "vi" not in sent_plain  # Vietnamese is never transliterated
    assert "none (sends every language as written)" in page  # the default program is on unicode
    assert "drafts" in translations and "(the shipped default)" in page


def spanish_po_with(client, old: str, new: str) -> bytes:
    catalog = read_po(io.BytesIO(client.get("/admin/translations/es.po").content))
    entry = next(m for m in catalog if m.string and old in m.string)
    entry.string = entry.string.replace(old, new)
    return po_bytes(catalog)


def test_a_valid_upload_is_served_at_once_and_rolls_back(client):
    csrf = log_in(client)
    before = text_line(client, "CIRUGIA")
    assert before.startswith("Cirug")
    upload = spanish_po_with(client, "Cirug", "CIRUG")
    response = client.post("/admin/translations/es", data={"csrf": csrf}, files={"po": ("es.po", upload)})
    assert response.status_code == 200 and "es is now served" in response.text
    assert text_line(client, "CIRUGIA").startswith("CIRUG")
    assert "alice" in client.get("/admin/translations").text
    client.post("/admin/translations/es/rollback", data={"csrf": csrf})
    assert text_line(client, "CIRUGIA") == before


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("%(contact)s", "%(contacto)s", "contacto"),
        ("Cirug", "Cirugía muy larga " * 30 + "Cirug", "costs"),
        ("CIRUGIA, ", "CHIRURGIE, METAS, CIRUGIA, ", "means more than one thing"),
    ],
)
def test_an_invalid_upload_is_refused_with_reasons_and_nothing_changes(client, old, new, reason):
    csrf = log_in(client)
    before = text_line(client, "CIRUGIA")
    response = client.post(
        "/admin/translations/es", data={"csrf": csrf}, files={"po": ("es.po", spanish_po_with(client, old, new))}
    )
    assert response.status_code == 422 and "not published" in response.text and reason in response.text
    assert text_line(client, "CIRUGIA") == before
    assert "No changes through the admin yet" in client.get("/admin/translations").text


@pytest.mark.parametrize(
    ("data", "reason"), [(b'msgid "x\nbroken', "does not parse"), (b'msgid ""\nmsgstr "Language: fr\\n"\n', "not es")]
)
def test_unparseable_or_wrong_language_files_are_refused(client, data, reason):
    csrf = log_in(client)
    response = client.post("/admin/translations/es", data={"csrf": csrf}, files={"po": ("es.po", data)})
    assert response.status_code == 422 and reason in response.text


def test_another_replica_serves_the_upload_within_seconds(client, admin_settings):
    csrf = log_in(client)
    with TestClient(create_app(admin_settings), base_url=BASE_URL) as replica:
        assert text_line(replica, "CIRUGIA").startswith("Cirug")
        client.post(
            "/admin/translations/es",
            data={"csrf": csrf},
            files={"po": ("es.po", spanish_po_with(client, "Cirug", "CIRUG"))},
        )
        deadline = time.monotonic() + 10
        while not text_line(replica, "CIRUGIA", sender="+15551239999").startswith("CIRUG"):
            assert time.monotonic() < deadline
            time.sleep(0.2)


def test_the_simulator_answers_through_the_core_and_store_and_is_kept_apart(client):
    csrf = log_in(client)
    page = client.post("/admin/simulator", data={"csrf": csrf, "body": "STOP", "sender": "+15551230001", "to": ""}).text
    assert "Infoline: You will get no more messages" in page and 'id="reply-locale">en' in page
    assert text_line(client, "HER2", sender="+15551230001").startswith("HER2:")  # the real number is not opted out
    page = client.post(
        "/admin/simulator", data={"csrf": csrf, "body": "UPASUAJI", "sender": "+15551234567", "to": "+15005550006"}
    ).text
    assert 'id="reply-locale">sw' in page and "Hope Clinic, 0800 123 456" in page
    records = count_records(client.app.state.line.store)
    assert records == 3
    csv_text = client.get("/admin/usage.csv").text
    assert "stop" not in csv_text and "surgery" not in csv_text and ",her2," in csv_text


def test_usage_counts_replies_segments_and_opt_outs_without_numbers(client):
    for body in ("HER2", "HER2", "CIRUGIA", "STOP"):
        text_line(client, body, sender="+15557654321") if body != "STOP" else text_line(client, "STOP", "+15557654322")
    log_in(client)
    page = client.get("/admin/usage").text
    assert "opt-outs <strong>1</strong>" in page and "Replies <strong>4</strong>" in page
    assert "<svg" in page and "<rect" in page
    csv_text = client.get("/admin/usage.csv").text
    assert (
        csv_text.splitlines()[0]
        == "day,program,channel,gateway,locale,intent,topic,messages,replies,segments,rate_limited,pending,delivered,failed,cancelled,cost,currency,cost_per_delivered"
    )
    assert ",her2,2,2,4," in csv_text
    assert "7654321" not in page + csv_text


def test_downloads_are_po_files_translators_can_open(client):
    log_in(client)
    pot = client.get("/admin/translations/messages.pot")
    assert pot.headers["content-disposition"].endswith('filename="messages.pot"')
    assert len(parse_po(pot.content)) > 20
    assert client.get("/admin/translations/xx.po").status_code == 404


@pytest.mark.parametrize(
    ("text", "chunks"),
    [
        ("Hola", [("Hola", False)]),
        ("Cirugía: sí", [("Cirug", False), ("í", True), ("a: s", False), ("í", True)]),
        ("مرحبا بك", [("مرحبا بك", False)]),
    ],
)
def test_only_the_few_characters_that_force_ucs2_are_marked(text, chunks):
    from service.admin_views import highlight

    assert highlight(text) == chunks


def test_rolling_back_twice_goes_further_back_never_forth(client):
    csrf = log_in(client)
    shipped = text_line(client, "CIRUGIA")
    for old, new in (("Cirug", "CIRUG"), ("equipo médico", "equipo de salud")):
        client.post(
            "/admin/translations/es", data={"csrf": csrf}, files={"po": ("es.po", spanish_po_with(client, old, new))}
        )
    assert text_line(client, "CIRUGIA").startswith("CIRUG") and "equipo de salud" in text_line(client, "CIRUGIA")
    client.post("/admin/translations/es/rollback", data={"csrf": csrf})
    assert text_line(client, "CIRUGIA").startswith("CIRUG") and "equipo médico" in text_line(client, "CIRUGIA")
    client.post("/admin/translations/es/rollback", data={"csrf": csrf})
    assert text_line(client, "CIRUGIA") == shipped
    page = client.post("/admin/translations/es/rollback", data={"csrf": csrf}).text
    assert "nothing to roll back" in page and text_line(client, "CIRUGIA") == shipped


def test_a_po_with_an_unknown_charset_is_refused_not_a_500(client):
    csrf = log_in(client)
    data = b'msgid ""\nmsgstr "Content-Type: text/plain; charset=bogus\\n"\n'
    response = client.post("/admin/translations/es", data={"csrf": csrf}, files={"po": ("es.po", data)})
    assert response.status_code == 422 and "save it as UTF-8" in response.text


BEARER = {"Authorization": "Bearer alice-token-123"}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 200),
        ("?days=7", 200),
        ("?days=366", 200),
        ("?days=0", 422),
        ("?days=-3", 422),
        ("?days=367", 422),
        ("?days=99999999999999999999", 422),
        ("?days=" + "9" * 5000, 422),
        ("?days=x", 422),
        ("?days=1.5", 422),
    ],
)
@pytest.mark.parametrize("path", ["/admin/usage", "/admin/usage.csv"])
def test_usage_takes_a_bounded_number_of_days_or_says_no(client, path, query, status):
    assert client.get(path + query, headers=BEARER).status_code == status


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?done=published&locale=es&version=3", "es is now served (version 3)"),
        ("?done=rolled-back&locale=fr&version=4", "fr rolled back (version 4)"),
        ("?done=unchanged&locale=es", "es has nothing to roll back"),
        ("?message=Your+session+expired:+call+555-0100", None),
        ("?done=published&locale=Call+555-0100&version=1", None),
        ("?done=anything&locale=es", None),
    ],
)
def test_the_translations_page_says_only_what_it_wrote_itself(client, query, shown):
    page = client.get("/admin/translations" + query, headers=BEARER).text
    assert (
        ("555-0100" not in page)
        and (shown is None or shown in page)
        and (shown is not None or 'class="ok"' not in page)
    )


def test_rolling_back_a_language_the_line_lacks_is_404(client):
    assert client.post("/admin/translations/xx/rollback", headers=BEARER).status_code == 404


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=2000), sender=st.text(max_size=80), to=st.text(max_size=80))
def test_the_simulator_answers_any_input_without_a_5xx(client, body, sender, to):
    response = client.post("/admin/simulator", headers=BEARER, data={"body": body, "sender": sender, "to": to})
    assert response.status_code < 500
