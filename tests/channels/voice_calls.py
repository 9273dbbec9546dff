"""A Twilio call as tests drive it: signed webhooks, the gather's action followed as Twilio follows it, and
what the TwiML says."""

from __future__ import annotations

import itertools
from urllib.parse import quote, urljoin
from xml.etree import ElementTree

from tests.conftest import BASE_URL, sign

VOICE_URL = BASE_URL + "/voice"
_calls = itertools.count(1)


def call_form(**fields) -> dict:
    """The form of "A call comes in", as Twilio posts it (a new CallSid each time)."""
    form = {
        "CallSid": f"CA{next(_calls):032x}",
        "AccountSid": "AC" + "1" * 32,
        "From": "+15551230001",
        "To": "+15005550006",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    form.update(fields)
    return form


def path_url(path: str | None) -> str:
    """/voice, or a gather's action for a path, as the line writes it."""
    return "/voice" if path is None else f"/voice?path={quote(path, safe='*')}"


def post(client, form: dict, *, url: str = "/voice", signed_url: str | None = None, signature: str | None = "sign"):
    """POST a form to url, signed for signed_url (the URL as called, by default)."""
    headers = {}
    if signature is not None:
        headers["X-Twilio-Signature"] = (
            sign(form, url=signed_url or urljoin(BASE_URL, url)) if signature == "sign" else signature
        )
    return client.post(url, data=form, headers=headers)


def twiml(response) -> ElementTree.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ElementTree.fromstring(response.text)


def said(root: ElementTree.Element) -> list[ElementTree.Element]:
    """Every <Say> and <Play>, in the order Twilio says them (the gather's first)."""
    return [element for element in root.iter() if element.tag in ("Say", "Play")]


def press(client, response, digit: str, form: dict):
    """The next step as Twilio takes it: the gather's action, resolved against the URL it called, signed."""
    action = twiml(response).find("Gather").get("action")
    url = urljoin(VOICE_URL, action)
    return post(client, {**form, "Digits": digit}, url=url.removeprefix(BASE_URL), signed_url=url)
