"""schemathesis against the OpenAPI document of the JSON endpoints."""

import schemathesis
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from service.app import create_app


def test_json_endpoints_keep_their_documented_contract(settings):
    # schemathesis calls the app by a host of its own choosing.
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(settings.model_copy(update={"allowed_hosts": ("*",)}))
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} == {"/healthz", "/readyz"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None)
        def conforms(case):
            case.call_and_validate()

        conforms()


def test_the_document_covers_readiness_and_not_the_webhook(settings):
    paths = create_app(settings).fastapi.openapi()["paths"]
    assert "/readyz" in paths and "/sms" not in paths and not any(path.startswith("/admin") for path in paths)
