"""/admin/review: entries beside their English, approve and revoke with CSRF, approve-all after reading."""

import re
import time

import pytest
from starlette.testclient import TestClient

from service import translations
from service.app import create_app
from service.store.reviews import APPROVE, ReviewEvent
from tests.conftest import BASE_URL
from tests.web.admin_helpers import admin_client, log_in, text_line, with_tokens

READ = re.compile(r'name="read" value="([^"]+)"')
# alice reviews, bob translates (tests.web.admin_helpers logs alice in)
ROLES = "alice:reviewer:alice-token-123,bob:translator:bob-token-456"


@pytest.fixture
def client(settings):
    with admin_client(with_tokens(settings, ROLES)) as test_client:
        yield test_client


def row(page: str, entry_id: str) -> str:
    return page.split(f'id="entry-{entry_id}"', 1)[1].split("</tr>", 1)[0]


def reads(page: str) -> list[str]:
    """The per-row approve values, each entry once."""
    return list(dict.fromkeys(READ.findall(page)))


def test_the_page_shows_each_entry_beside_its_english_with_its_cost_under_each_program(client):
    log_in(client)
    page = client.get("/admin/review/es").text
    her2 = row(page, "her2.summary")
    assert "HER2: If the tumor is HER2 positive" in her2 and "HER2: Si el tumor es HER2 positivo" in her2
    assert "Infoline (drafts):" in her2 and "Hope Clinic outreach (example) (drafts):" in her2 and "draft" in her2
    assert len(reads(page)) == 48 and "Approving needs the reviewer role" not in page


def test_the_index_says_the_shipped_default_serves_drafts(client):
    log_in(client)
    page = client.get("/admin/review").text
    assert "the shipped default" in page.split('id="policy-default"', 1)[1].split("</td>", 1)[0]
    assert 'id="es-draft">48<' in page and 'id="es-approved">0<' in page


def test_approve_needs_the_sessions_csrf_token(client):
    log_in(client)
    value = reads(client.get("/admin/review/es").text)[0]
    response = client.post("/admin/review/es/approve", data={"read": value, "csrf": "forged"})
    assert response.status_code == 403
    assert client.app.state.line.reviews.history() == []


def test_approve_then_revoke_one_entry_and_both_are_in_the_history(client):
    csrf = log_in(client)
    value = next(value for value in reads(client.get("/admin/review/es").text) if value.startswith("help:"))
    response = client.post("/admin/review/es/approve", data={"read": value, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("done=approved&count=1")
    page = client.get(response.headers["location"]).text
    assert "Approved 1." in page and "approved by alice on" in row(page, "help")
    response = client.post("/admin/review/es/revoke", data={"entry": "help", "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/admin/review/es").text
    assert "Revoke" not in row(page, "help") and "revoked" in page and "approved" in page.split("<h2>History", 1)[1]


def test_approve_all_approves_what_was_read_and_not_what_changed_since(client):
    csrf = log_in(client)
    read = reads(client.get("/admin/review/es").text)
    line = client.app.state.line
    po = translations.served_po(line=line, locale="es").decode()
    changed = po.replace('msgstr "cáncer her dos positivo"', 'msgstr "cáncer positivo para her dos"', 1)
    assert translations.publish(line=line, locale="es", data=changed.encode(), label="bob")[1] == []
    response = client.post("/admin/review/es/approve", data={"read": read, "csrf": csrf})
    assert response.status_code == 200 and "47 done; not done" in response.text
    assert "her2.spoken_name: its translation changed since it was read" in response.text


def test_a_form_with_nothing_read_or_more_than_there_is_is_refused(client):
    csrf = log_in(client)
    assert client.post("/admin/review/es/approve", data={"csrf": csrf}).status_code == 422
    too_many = [f"e{number}:x" for number in range(49)]
    assert client.post("/admin/review/es/approve", data={"read": too_many, "csrf": csrf}).status_code == 422
    assert client.post("/admin/review/xx/approve", data={"read": "help:x", "csrf": csrf}).status_code == 404
    assert client.get("/admin/review/xx").status_code == 404


def test_entries_whose_english_changed_since_approval_are_listed(client):
    log_in(client)
    line = client.app.state.line
    translation = line.catalogs.message("es", "help")
    line.reviews.add([ReviewEvent("es", "help", APPROVE, "Old English help", translation, "carol")])
    translations.refresh_catalogs(line=line)
    page = client.get("/admin/review/es").text
    changed = page.split("English changed since approval", 1)[1].split("<h2>", 1)[0]
    assert "Old English help" in changed and "carol" in changed and "draft" in row(page, "help")


def test_a_replica_answers_in_spanish_once_a_reviewer_approved_everything_there(settings, tmp_path):
    programs = tmp_path / "programs.toml"
    programs.write_text('[[program]]\nid = "default"\nname = "Careful"\nhelp_contact = "Careful, 0800 1"\n', "utf-8")
    careful = with_tokens(settings, ROLES, programs_file=programs)
    with admin_client(careful) as client, TestClient(create_app(careful), base_url=BASE_URL) as replica:
        assert text_line(replica, "CIRUGIA").startswith(
            "Surgery: If a new tumor"
        )  # Spanish found, nothing approved: English
        csrf = log_in(client)
        read = reads(client.get("/admin/review/es").text)
        assert client.post("/admin/review/es/approve", data={"read": read, "csrf": csrf}).status_code == 200
        deadline = time.monotonic() + 10  # its background loop looks every second (service.background)
        for sender in (f"+1555124{number:04d}" for number in range(100)):  # a new sender each time: no reply cap
            if text_line(replica, "CIRUGIA", sender=sender).startswith("Cirugía:"):
                break
            assert time.monotonic() < deadline
            time.sleep(0.2)


def test_a_translator_reads_the_page_without_approve_buttons_and_may_not_approve(client):
    csrf = log_in(client, "bob", "bob-token-456")
    page = client.get("/admin/review/es").text
    assert "Approving needs the reviewer role (you are translator)" in page and reads(page) == []
    response = client.post("/admin/review/es/approve", data={"read": "help:x", "csrf": csrf})
    assert response.status_code == 403 and "cannot approve translations; ask a reviewer" in response.text
    assert client.app.state.line.reviews.history() == []


def test_a_reviewer_is_offered_no_upload_and_a_translator_is(client):
    log_in(client)
    assert "Upload</button>" not in client.get("/admin/translations").text
    client.post("/admin/logout", data={"csrf": log_in(client)})
    log_in(client, "bob", "bob-token-456")
    assert "Upload</button>" in client.get("/admin/translations").text


def test_a_header_saying_approved_approves_nothing_on_any_page(client):
    line = client.app.state.line
    po = (
        translations.served_po(line=line, locale="es")
        .decode()
        .replace("# review-status: draft", "# review-status: approved")
    )
    assert translations.publish(line=line, locale="es", data=po.encode(), label="bob")[1] == []
    log_in(client)
    assert ">0 of 48</a>" in client.get("/admin/translations").text.split('href="/admin/review/es"', 1)[1][:20]
    assert 'id="es-approved">0<' in client.get("/admin/review").text


def test_the_text_a_gsm7_program_sends_without_accents_is_shown_to_the_reviewer(client):
    log_in(client)
    surgery = row(client.get("/admin/review/es").text, "surgery.summary")
    assert surgery.split("sent as: ", 1)[1].startswith(
        '<span class="sent-as" lang="es">Cirugia: Si un tumor nuevo esta'
    )
    assert "Cirugía: Si un tumor nuevo está" in surgery  # the translation as written


def test_a_message_a_gsm7_program_sends_without_accents_is_shown_as_sent_with_its_name_filled_in(client):
    log_in(client)
    start = row(client.get("/admin/review/es").text, "start_confirm")
    assert start.split("sent as: ", 1)[1].startswith('<span class="sent-as" lang="es">Hope Clinic: Volvera a recibir')
