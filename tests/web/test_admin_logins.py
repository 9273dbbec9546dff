"""Failed logins: throttled per client and per label across replicas, logged without tokens or addresses."""

import hashlib
import logging

import pytest
from sqlalchemy import text

from service.app import create_app
from tests.web.admin_helpers import admin_client, try_login, with_tokens

WINDOW = 15 * 60


@pytest.fixture
def admin_settings(settings):
    return with_tokens(settings)


@pytest.fixture
def app(admin_settings):
    return create_app(admin_settings)


def from_address(app, address):
    return admin_client(None, app=app, address=address)


def fail(app, address, label="alice", times=1):
    with from_address(app, address) as client:
        for _ in range(times):
            assert try_login(client, label, "not-the-token").status_code == 403


def age_failures(app, seconds):
    with app.state.line.store.engine.begin() as connection:
        connection.execute(text("UPDATE admin_login_failures SET at = at - :s"), {"s": seconds})


def sixth(app, address, label="alice", token="alice-token-123"):
    with from_address(app, address) as client:
        return try_login(client, label, token)


@pytest.mark.parametrize(
    ("failures", "then", "status"),
    [
        ([("10.0.0.1", "alice")] * 4, ("10.0.0.1", "alice"), 303),  # four: still allowed
        ([("10.0.0.1", "alice")] * 5, ("10.0.0.1", "alice"), 429),  # the sixth try, with the right token
        ([("10.0.0.1", "alice")] * 5, ("10.0.0.1", "bob"), 429),  # the same client, another label
        ([("10.0.0.1", "alice")] * 5, ("10.0.0.2", "bob"), 303),  # another client, another label
        ([(f"10.0.1.{n}", "alice") for n in range(5)], ("10.0.0.9", "alice"), 429),  # one label from many clients
        ([(f"10.0.1.{n}", "alice") for n in range(5)], ("10.0.0.9", "bob"), 303),  # ... leaves the other labels be
        ([("10.0.0.1", "nobody")] * 5, ("10.0.0.1", "alice"), 429),  # unknown labels count for the client
        ([(f"10.0.1.{n}", "nobody") for n in range(5)], ("10.0.0.9", "alice"), 303),
    ],
    ids=[
        "4-then-ok",
        "6th-429",
        "client-other-label",
        "other-client",
        "label-many-clients",
        "label-others-free",
        "unknown-labels-per-client",
        "unknown-labels-spread",
    ],
)
def test_failed_logins_are_throttled_per_client_and_per_label(app, failures, then, status):
    for address, label in failures:
        fail(app, address, label)
    address, label = then
    response = sixth(app, address, label, {"alice": "alice-token-123", "bob": "bob-token-456"}[label])
    assert response.status_code == status
    if status == 429:
        assert 0 < int(response.headers["retry-after"]) <= WINDOW
        assert "infoline_admin=" not in response.headers.get("set-cookie", "")


def test_the_throttle_lifts_when_the_window_has_passed(app):
    fail(app, "10.0.0.1", times=5)
    assert sixth(app, "10.0.0.1").status_code == 429
    age_failures(app, WINDOW - 60)
    assert 50 <= int(sixth(app, "10.0.0.1").headers["retry-after"]) <= 60
    age_failures(app, 61)
    assert sixth(app, "10.0.0.1").status_code == 303


def test_every_replica_sees_the_same_failures(app, admin_settings):
    fail(app, "10.0.0.1", times=5)
    assert sixth(create_app(admin_settings), "10.0.0.1").status_code == 429


def test_wrong_bearer_tokens_are_throttled_per_client(app):
    with from_address(app, "10.0.0.1") as client:
        for _ in range(5):
            assert client.get("/admin", headers={"Authorization": "Bearer guess"}).status_code == 401
        throttled = client.get("/admin", headers={"Authorization": "Bearer alice-token-123"})
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    with from_address(app, "10.0.0.2") as client:
        assert client.get("/admin", headers={"Authorization": "Bearer alice-token-123"}).status_code == 200


def test_the_limits_follow_the_settings(admin_settings):
    app = create_app(admin_settings.model_copy(update={"admin_login_attempts": 2, "admin_login_window_seconds": 60}))
    fail(app, "10.0.0.1", times=2)
    response = sixth(app, "10.0.0.1")
    assert response.status_code == 429 and int(response.headers["retry-after"]) <= 60


def test_a_login_from_another_site_is_refused_and_not_counted(app):
    with admin_client(None, app=app, address="10.0.0.1", origin=False) as client:
        for _ in range(6):
            response = try_login(client, "alice", "guess")
            assert response.status_code == 403
    assert app.state.line.store.direct.scalar("SELECT count(*) FROM admin_login_failures") == 0


def test_logins_are_logged_with_label_client_and_outcome_never_a_token_or_address(app, caplog):
    caplog.set_level(logging.INFO, logger="service.admin.login")
    fail(app, "203.0.113.77", "alice")
    fail(app, "203.0.113.77", "secret-typed-as-name")
    assert sixth(app, "203.0.113.77").status_code == 303
    with from_address(app, "203.0.113.77") as client:
        client.get("/admin", headers={"Authorization": "Bearer a-guessed-token"})
    records = [r for r in caplog.records if r.name == "service.admin.login"]
    assert [r.outcome for r in records] == ["wrong token", "unknown label", "ok", "wrong bearer token"]
    assert [r.label for r in records] == ["alice", None, "alice", None]
    assert len({r.client for r in records}) == 1
    everything = " ".join(str(vars(r)) for r in caplog.records)
    for secret in ("not-the-token", "alice-token-123", "a-guessed-token", "secret-typed-as-name", "203.0.113.77"):
        assert secret not in everything


def test_the_database_keeps_a_keyed_hash_of_the_client_never_its_address(app):
    fail(app, "203.0.113.77", "alice")
    with app.state.line.store.engine.connect() as connection:
        client_key, label = connection.execute(text("SELECT client_key, label FROM admin_login_failures")).one()
    assert label == "alice" and "203.0.113.77" not in client_key and len(client_key) == 64
    assert client_key != hashlib.sha256(b"203.0.113.77").hexdigest()  # keyed: not a plain hash of the address
