"""Every provider's path through the real app, one table of cases per provider.

A provider added to channels/ and the route table adds one Provider here: how its genuine calls are
made and credentialed. The cases are the same for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

import pytest

from service.channels.twilio import Form
from tests.conftest import SMS_URL, sign, twilio_form
from tests.store_helpers import count_records

Credential = Literal["valid", "forged", "missing"]
Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Provider:
    path: str
    reply_type: str
    # A genuine call's fields, with this body text.
    fields: Callable[[str], Pairs]
    # The URL (path and query) and headers of a call with these fields and this credential.
    call: Callable[[Pairs, Credential], tuple[str, dict[str, str]]]
    # A field the line reads, to send twice.
    read_field: str


def twilio_call(pairs: Pairs, credential: Credential) -> tuple[str, dict[str, str]]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if credential != "missing":
        headers["X-Twilio-Signature"] = sign(Form(pairs), url=SMS_URL) if credential == "valid" else "bm90IGEgc2ln"
    return "/sms", headers


PROVIDERS = {
    "twilio": Provider(
        path="/sms",
        reply_type="application/xml",
        fields=lambda body: list(twilio_form(body).items()),
        call=twilio_call,
        read_field="From",
    ),
}


def send(client, provider: Provider, pairs: Pairs, credential: Credential = "valid", **overrides):
    url, headers = provider.call(pairs, credential)
    request = {"method": "POST", "url": url, "headers": headers, "content": urlencode(pairs).encode(), **overrides}
    return client.request(**request)


CASES: list[tuple[str, Callable, int]] = [
    ("valid", lambda c, p, f: send(c, p, f), 200),
    ("forged credential", lambda c, p, f: send(c, p, f, "forged"), 403),
    ("missing credential", lambda c, p, f: send(c, p, f, "missing"), 403),
    ("tampered after signing", lambda c, p, f: send(c, p, f, content=urlencode([*f[:-1], ("X", "1")]).encode()), 403),
    ("wrong method", lambda c, p, f: send(c, p, f, method="GET"), 405),
    ("wrong content type", lambda c, p, f: send(c, p, f, headers={"Content-Type": "application/json"}), 415),
    ("too large", lambda c, p, f: send(c, p, [*f, ("Pad", "x" * 1_000_000)]), 413),
    ("a read field twice", lambda c, p, f: send(c, p, [*f, (p.read_field, "+15550009999")]), 400),
    ("not the provider's encoding", lambda c, p, f: send(c, p, f, content=b"Body=%FF%FE"), 400),
]


@pytest.mark.parametrize("name", sorted(PROVIDERS))
@pytest.mark.parametrize(("case", "make", "status"), CASES, ids=[case for case, _, _ in CASES])
def test_each_provider_answers_genuine_calls_and_refuses_the_rest(client, app, name, case, make, status):
    provider = PROVIDERS[name]
    response = make(client, provider, provider.fields("HER2"))
    assert response.status_code == status, (name, case)
    assert len(response.headers.get_list("x-request-id")) == 1
    if status == 200:
        assert response.headers["content-type"].startswith(provider.reply_type)
    else:
        assert response.headers["content-type"].startswith("text/plain")
        assert "HER2" not in response.text and "+1555" not in response.text
        assert count_records(app.state.line.store) == 0  # nothing is kept of a refused call
