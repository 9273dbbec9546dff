"""A reviewer in a real browser approves one entry, and a program that serves approved text only answers with it."""

import os
import subprocess
import sys
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx2
import pytest

from tests.conftest import TOKEN, sign, twilio_form
from tests.server import running_service

REVIEWER, REVIEWER_TOKEN = "dr-amina", "reviewer-token-for-the-browser"
CAREFUL = '[[program]]\nid = "default"\nname = "Careful"\nhelp_contact = "Careful, 0800 1"\n'


@pytest.fixture
def env(tmp_path):
    programs = tmp_path / "programs.toml"
    programs.write_text(CAREFUL, "utf-8")  # no translations key: a new program serves approved text only
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "ADMIN_TOKENS": f"{REVIEWER}:reviewer:{REVIEWER_TOKEN},dr-bea:reviewer:another-reviewers-token",
        "PROGRAMS_FILE": str(programs),
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def review(env, *args):
    """python -m service review …, as an operator runs it against the same data."""
    done = subprocess.run(
        [sys.executable, "-m", "service", "review", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def text_line(url, body, sender):
    form = twilio_form(body, From=sender)
    headers = {"X-Twilio-Signature": sign(form, url=url + "/sms"), "Content-Type": "application/x-www-form-urlencoded"}
    response = httpx2.post(url + "/sms", content=urlencode(form), headers=headers)
    return ElementTree.fromstring(response.text).find("Message").text


def test_a_reviewer_approves_the_last_entry_and_the_careful_program_answers_in_spanish(browser, env):
    review(env, "approve", "--locale", "es", "--all", "--by", "dr-bea")
    review(env, "revoke", "--locale", "es", "--msgid", "surgery.summary", "--by", "dr-bea")
    with running_service(env) as (url, _):
        assert text_line(url, "CIRUGIA", "+15551230001").startswith("Surgery: If a new tumor")
        page = browser.new_page()
        refused = []  # anything the pages' Content-Security-Policy blocked
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(url + "/admin")
        page.get_by_label("Name").fill(REVIEWER)
        page.get_by_label("Admin token").fill(REVIEWER_TOKEN)
        page.get_by_role("button", name="Log in").click()
        page.goto(url + "/admin/review/es")
        row = page.locator('tr[id="entry-surgery.summary"]')
        assert "draft" in row.locator("td.state").inner_text()
        row.get_by_role("button", name="Approve").click()
        assert "Approved 1." in page.content()
        assert "approved by dr-amina" in page.locator('tr[id="entry-surgery.summary"] td.state').inner_text()
        assert text_line(url, "CIRUGIA", "+15551230002").startswith("Cirugía:")
        assert refused == []
