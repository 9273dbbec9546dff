"""200 texts at once from 200 numbers against the real server: no 5xx, one record each."""

import asyncio
from urllib.parse import urlencode

import httpx2
import pytest

from service.store import open_store
from tests.conftest import TOKEN, sign, twilio_form
from tests.server import running_service
from tests.store_helpers import count_records

KEYWORDS = ["HER2", "HORMONE", "CHEMO", "SURGERY", "RADIATION", "GOALS", "STOP", "HELP", "hello", "4"]


async def send_all(base_url: str, forms: list[dict]) -> list[int]:
    limits = httpx2.Limits(max_connections=200)
    async with httpx2.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def send(form):
            signature = sign(form, url=base_url + "/sms")
            response = await client.post(
                "/sms",
                content=urlencode(form),
                headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
            )
            return response.status_code

        return await asyncio.gather(*(send(form) for form in forms))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_hundred_concurrent_senders(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'line.db'}" if backend == "sqlite" else request.getfixturevalue("pg_schema_url")
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "DATABASE_URL": url, "DATA_DIR": str(tmp_path / "var"), "LOG_LEVEL": "WARNING"}
    forms = [twilio_form(KEYWORDS[n % len(KEYWORDS)], From=f"+1555{n:07d}") for n in range(200)]
    with running_service(env) as (base_url, _):
        statuses = asyncio.run(send_all(base_url, forms))
    assert statuses == [200] * 200
    store = open_store(url)
    assert count_records(store) == 200
    store.close()
