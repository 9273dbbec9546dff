"""Fuzzing the webhook: arbitrary signed forms never get a 5xx; any one-character change gets 403."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import ImmutableMultiDict
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from service.app import create_app
from tests.conftest import BASE_URL, SMS_URL, TOKEN


@pytest.fixture
def db_client(settings, database_url):
    """The signed forms that reach the store, against the embedded SQLite file and against PostgreSQL (one
    flow, two units of work); refusals never reach it, and run once, on conftest's client."""
    app = create_app(settings.model_copy(update={"database_url": database_url}))
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


FIELDS = ["MessageSid", "From", "To", "Body", "NumMedia", "AccountSid", "SmsSid", "X-Extra", ""]
# Any Unicode but lone surrogates, which no UTF-8 form can carry.
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
values = st.one_of(
    unicode_text,
    st.sampled_from(["", "+15551230001", "whatsapp:+1555", "STOP", "HER2"]),
    st.text(max_size=3).map(lambda s: s * 3000),
)
pairs = st.lists(st.tuples(st.one_of(st.sampled_from(FIELDS), unicode_text), values), max_size=8)


def post_signed(client, items):
    form = ImmutableMultiDict(items)
    signature = RequestValidator(TOKEN).compute_signature(SMS_URL, form)
    return client.post(
        "/sms",
        content=urlencode(items).encode(),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=pairs, with_ids=st.booleans())
def test_arbitrary_signed_forms_never_get_a_5xx(db_client, items, with_ids):
    client = db_client
    if with_ids:
        items = [("MessageSid", "SMfuzz" + str(abs(hash(str(items))))), ("From", "+15551230001"), *items]
    response = post_signed(client, items)
    assert response.status_code < 500
    assert response.status_code in (200, 400, 413), response.text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), signature=st.text(max_size=40))
def test_arbitrary_bodies_and_signatures_never_get_a_5xx(client, raw, signature):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature.encode("utf-8")}
    assert client.post("/sms", content=raw, headers=headers).status_code in (400, 403)


ITEMS = [
    ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("AccountSid", "AC" + "1" * 32),
    ("From", "+15551230001"),
    ("To", "+15005550000"),
    ("Body", "HER2"),
    ("NumMedia", "0"),
]


def changed(text: str, position: int) -> str:
    replacement = "b" if text[position] != "b" else "c"
    return text[:position] + replacement + text[position + 1 :]


def test_the_unchanged_request_is_accepted(db_client):
    client = db_client
    assert post_signed(client, ITEMS).status_code == 200


@pytest.mark.parametrize("position", range(len(SMS_URL)))
def test_a_signature_for_a_url_one_character_off_is_refused(client, position):
    signature = RequestValidator(TOKEN).compute_signature(changed(SMS_URL, position), ImmutableMultiDict(ITEMS))
    response = client.post(
        "/sms",
        content=urlencode(ITEMS),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403


def one_character_changes():
    for index, (key, value) in enumerate(ITEMS):
        for part, text in (("key", key), ("value", value)):
            for position in range(len(text)):
                yield index, part, position


@pytest.mark.parametrize(("index", "part", "position"), list(one_character_changes()))
def test_any_one_character_changed_in_a_parameter_is_refused(client, index, part, position):
    signature = RequestValidator(TOKEN).compute_signature(SMS_URL, ImmutableMultiDict(ITEMS))
    key, value = ITEMS[index]
    tampered = list(ITEMS)
    tampered[index] = (changed(key, position), value) if part == "key" else (key, changed(value, position))
    response = client.post(
        "/sms",
        content=urlencode(tampered),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403


def test_any_one_character_changed_in_the_signature_is_refused(client):
    signature = RequestValidator(TOKEN).compute_signature(SMS_URL, ImmutableMultiDict(ITEMS))
    for position in range(len(signature)):
        response = client.post(
            "/sms",
            content=urlencode(ITEMS),
            headers={
                "X-Twilio-Signature": changed(signature, position),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert response.status_code == 403, position
