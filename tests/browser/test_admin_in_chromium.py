"""A real browser (Debian's headless Chromium driven by Playwright) uses the admin like a new admin would."""

import io
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx2
import pytest
from babel.messages.pofile import read_po

from service.catalogs import po_bytes
from tests.conftest import TOKEN, sign, twilio_form
from tests.server import running_service

ADMIN_TOKEN = "browser-admin-token"


@pytest.fixture
def service(tmp_path):
    env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    with running_service(env) as (url, _):
        yield url


def text_line(url, body, sender="+15551230001"):
    form = twilio_form(body, From=sender)
    response = httpx2.post(
        url + "/sms",
        content=urlencode(form),
        headers={
            "X-Twilio-Signature": sign(form, url=url + "/sms"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 200
    return ElementTree.fromstring(response.text).find("Message").text


def edited_spanish(url, old, new) -> bytes:
    po = httpx2.get(url + "/admin/translations/es.po", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).content
    catalog = read_po(io.BytesIO(po))
    entry = next(m for m in catalog if m.string and old in m.string)
    entry.string = entry.string.replace(old, new)
    return po_bytes(catalog)


def upload(page, path):
    page.goto(page.url.split("/admin")[0] + "/admin/translations")
    row = page.locator("tr", has=page.locator('a[href="/admin/translations/es.po"]'))
    row.locator('input[type="file"]').set_input_files(str(path))
    row.get_by_role("button", name="Upload").click()


def log_in(page, service):
    page.goto(service + "/admin")
    page.get_by_label("Name").fill("admin")  # ADMIN_TOKEN's label
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(service + "/admin")


def test_a_new_admin_fixes_spanish_and_sees_it_served(browser, service, tmp_path):
    page = browser.new_page()
    refused = []  # anything the pages' Content-Security-Policy blocked
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    log_in(page, service)
    assert page.locator('td[lang="es"]').count() == 13
    assert page.locator('td[lang="ar"][dir="rtl"]').count() == 13
    # The stylesheet is a file the CSP allows: the header is styled.
    assert page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(34, 51, 68)"
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=False)

    before = text_line(service, "CIRUGIA")
    good = tmp_path / "es-good.po"
    good.write_bytes(edited_spanish(service, "Cirug", "CIRUG"))
    upload(page, good)
    assert "es is now served" in page.content()
    assert text_line(service, "CIRUGIA").startswith("CIRUG")

    bad = tmp_path / "es-bad.po"
    bad.write_bytes(edited_spanish(service, "%(contact)s", "%(contacto)s"))
    upload(page, bad)
    assert "not published" in page.content() and "contacto" in page.content()
    assert text_line(service, "CIRUGIA").startswith("CIRUG")

    page.goto(service + "/admin/translations")
    page.locator("tr", has=page.locator('a[href="/admin/translations/es.po"]')).get_by_role(
        "button", name="Roll back"
    ).click()
    assert "rolled back" in page.content()
    assert text_line(service, "CIRUGIA") == before

    page.goto(service + "/admin/simulator")
    page.get_by_label("Text").fill("CHIRURGIE")
    page.get_by_role("button", name="Send").click()
    assert page.locator("#reply-locale").inner_text() == "fr"
    assert page.locator("#reply").inner_text().startswith("Chirurgie")
    page.screenshot(path=str(tmp_path / "simulator.png"))

    page.goto(service + "/admin/usage")
    assert page.locator("rect.bar").first.evaluate("e => getComputedStyle(e).fill") == "rgb(58, 110, 165)"
    page.screenshot(path=str(tmp_path / "usage.png"))
    assert refused == []


def test_logging_out_ends_the_session_on_the_server(browser, service):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, service)
    cookie = next(c for c in context.cookies() if c["name"] == "infoline_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
    page.get_by_role("button", name="Log out admin").click()
    page.wait_for_url(service + "/admin/login")
    # The old cookie, replayed, no longer opens anything: the session ended server-side.
    replayed = httpx2.get(service + "/admin", headers={"Cookie": f"infoline_admin={cookie['value']}"})
    assert replayed.status_code == 401
    context.close()


def test_an_admin_reads_a_topics_ussd_screens_and_walks_a_session_in_the_simulator(browser, service):
    page = browser.new_page()
    log_in(page, service)
    row = page.locator("tr", has=page.locator("th", has_text="surgery"))
    spanish = row.locator('td[lang="es"]')
    spanish.locator("summary", has_text="USSD").click()  # a <details>: opened without a script
    assert spanish.locator("pre.screen").first.is_visible()
    assert spanish.locator("pre.screen").last.inner_text().endswith("le conviene.")

    page.goto(service + "/admin/simulator")
    page.get_by_label("Channel").select_option("ussd")
    page.get_by_role("button", name="Send").click()
    assert "7 Language" in page.locator("#reply").inner_text()
    for key in ("4", "1"):  # surgery, then its next page
        page.get_by_label("Press").fill(key)
        page.get_by_role("button", name="Send").click()
    assert "END" in page.content() and page.locator("#reply").inner_text().endswith("what is right for you.")
