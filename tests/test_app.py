"""The app's start: what it sets up for the life of the process."""

import gc

import pytest
from starlette.testclient import TestClient

from service.app import YOUNG_COLLECTION_EVERY, create_app


def test_at_start_what_is_loaded_is_frozen_and_young_collections_are_rarer(settings):
    before = gc.get_threshold()
    assert before[0] != YOUNG_COLLECTION_EVERY and gc.get_freeze_count() == 0
    with TestClient(create_app(settings)):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0  # as it was, after the app stops


def test_start_says_which_programs_help_names_no_support_contact(settings, caplog):
    import logging

    with caplog.at_level(logging.WARNING):
        create_app(settings)
    assert "No support contact for program(s) default" in caplog.text and "hope-clinic" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(settings.model_copy(update={"help_contact": "Infoline, 0800 000 111"}))
    assert "No support contact" not in caplog.text


def test_fastapi_is_composed_not_overridden(settings):
    from fastapi import FastAPI

    from service.web.dispatch import Dispatch
    from service.web.hosts import HostCheck

    app = create_app(settings)
    assert type(app.fastapi) is FastAPI and type(app.fastapi).__call__ is FastAPI.__call__
    assert not [kind for kind in type(app).__mro__ if issubclass(kind, FastAPI)]
    assert isinstance(app.app, HostCheck) and isinstance(app.app.app, Dispatch)
    assert app.app.app.fallback is app.fastapi and set(app.app.app.routes) == {
        "/sms",
        "/sms/africastalking",
        "/ussd/africastalking",
        "/voice",
        "/delivery/africastalking",
        "/delivery/twilio",
    }
    assert app.state is app.fastapi.state and app.state.line is not None


@pytest.mark.parametrize(
    ("method", "path", "logged"),
    [
        ("POST", "/sms", "answered"),
        ("GET", "/healthz", "healthz"),
        ("GET", "/admin", None),
        ("GET", "/sms", "refused"),
    ],
)
def test_every_request_gets_one_id_sent_back_once_and_logged(settings, monkeypatch, caplog, method, path, logged):
    import logging

    import service.app
    from service.observability import RequestIdFilter
    from tests.conftest import BASE_URL, sign, twilio_form

    said = logging.getLogger("tests.ids")

    async def healthz():  # the real one logs nothing; this one says which id it runs under
        said.info("healthz")
        return await real_healthz()

    real_healthz = service.app.healthz
    monkeypatch.setattr(service.app, "healthz", healthz)
    caplog.handler.addFilter(RequestIdFilter())
    form = twilio_form()
    with caplog.at_level(logging.INFO), TestClient(create_app(settings), base_url=BASE_URL) as client:
        kwargs = {"data": form, "headers": {"X-Twilio-Signature": sign(form)}} if method == "POST" else {}
        responses = [client.request(method, path, **kwargs) for _ in range(2)]
    ids = [response.headers.get_list("x-request-id") for response in responses]
    assert all(len(one) == 1 for one in ids) and ids[0] != ids[1]  # once per response, new per request
    if logged is not None:  # the admin's 404 logs nothing
        records = [record for record in caplog.records if record.getMessage() == logged]
        assert [record.request_id for record in records] == [one[0] for one in ids]


def test_a_refused_host_gets_its_one_request_id_too(client):
    response = client.get("/healthz", headers={"Host": "h:abc"})
    assert response.status_code == 400 and len(response.headers.get_list("x-request-id")) == 1
