"""The receipt endpoint with the real receipt channels: the generic refusals, what apply() is handed, the
empty 200 the gateways need, the metric and the log line."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import anyio
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from service.channels.base import Delivery, Receipt
from service.channels.receipts import africastalking_reports, twilio_status
from service.settings import get_settings
from service.store import StoreUnavailable
from service.web.receipts import ReceiptEndpoint
from service.web.request_id import RequestIdMiddleware

KEY = "at-callback-key-0123456789abcdef"
TOKEN = "test-auth-token-0123456789abcdef"
FORM = "application/x-www-form-urlencoded"
LIMIT = 4 * 1024
PHONE = "+254711000123"
AT_URL = f"/delivery/africastalking?key={KEY}"
AT_ID = "ATXid_7f4d2b3c9e1a4b6f8d0c2e4a6b8d0f12"
INBOUND_SID = "SM" + "0123456789abcdef" * 2
OUTBOUND_SID = "SM" + "fedcba9876543210" * 2
SETTINGS = get_settings(africastalking_callback_key=SecretStr(KEY), twilio_auth_token=TOKEN)


class Store:
    """The store side of the seam: records each receipt it is handed (or is away)."""

    def __init__(self, *, away: bool = False) -> None:
        self.receipts: list[Receipt] = []
        self.away = away

    async def apply(self, receipt: Receipt) -> None:
        if self.away:
            raise StoreUnavailable("away")
        self.receipts.append(receipt)


def at_client(store: Store) -> TestClient:
    endpoint = ReceiptEndpoint(
        channel=africastalking_reports(SETTINGS), apply=store.apply, max_body=LIMIT, public_base_url=None
    )
    return TestClient(RequestIdMiddleware(endpoint), base_url="https://line.test")


def report(status: str = "Success", **fields: str) -> dict[str, str]:
    return {"id": AT_ID, "status": status, "phoneNumber": PHONE, "networkCode": "63902", "retryCount": "0"} | fields


def chunks():
    for _ in range(LIMIT // 100 + 1):
        yield b"x" * 100


@pytest.mark.parametrize(
    ("case", "call", "status", "text"),
    [
        ("valid", lambda c: c.post(AT_URL, data=report()), 200, ""),
        (
            "a form type with a charset",
            lambda c: c.post(AT_URL, data=report(), headers={"content-type": FORM + "; charset=UTF-8"}),
            200,
            "",
        ),
        ("forged key", lambda c: c.post(AT_URL.replace(KEY, "forged"), data=report()), 403, "callback key"),
        ("missing key", lambda c: c.post("/delivery/africastalking", data=report()), 403, "callback key"),
        ("an unknown status", lambda c: c.post(AT_URL, data=report("Delivered")), 400, "status"),
        ("wrong method", lambda c: c.get(AT_URL), 405, "Africa's Talking POSTs its delivery receipts here"),
        ("wrong content type", lambda c: c.post(AT_URL, json=report()), 415, "as Africa's Talking sends"),
        ("no content type", lambda c: c.post(AT_URL, content=b"id=1"), 415, ""),
        ("declared too large", lambda c: c.post(AT_URL, data=report(pad="x" * LIMIT)), 413, "larger than any"),
        ("chunked past the cap", lambda c: c.post(AT_URL, content=chunks(), headers={"content-type": FORM}), 413, ""),
    ],
)
def test_generic_refusals_and_what_apply_gets(case, call, status, text):
    store = Store()
    response = call(at_client(store))
    assert response.status_code == status, (case, response.text)
    assert text in response.text and PHONE[1:] not in response.text and KEY not in response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert int(response.headers["content-length"]) == len(response.content)
    assert len(response.headers.get_list("x-request-id")) == 1
    if status == 200:
        assert response.content == b""
        assert store.receipts == [Receipt(gateway="africastalking", state=Delivery.DELIVERED, provider_id=AT_ID)]
    else:
        assert store.receipts == [], case
    if status == 405:
        assert response.headers["allow"] == "POST"


def test_a_store_that_is_away_gets_a_503_so_the_gateway_may_try_again():
    response = at_client(Store(away=True)).post(AT_URL, data=report())
    assert response.status_code == 503 and "try again" in response.text


@pytest.mark.parametrize("public_base_url", [None, "https://public.example"])
def test_a_twilio_callback_signed_for_the_url_as_called_is_applied(public_base_url):
    store = Store()
    endpoint = ReceiptEndpoint(
        channel=twilio_status(SETTINGS), apply=store.apply, max_body=LIMIT, public_base_url=public_base_url
    )
    path = f"/delivery/twilio?reply={INBOUND_SID}"
    form = {"MessageSid": OUTBOUND_SID, "SmsSid": OUTBOUND_SID, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    signed_url = (public_base_url or "https://line.test") + path
    headers = {"content-type": FORM, "x-twilio-signature": RequestValidator(TOKEN).compute_signature(signed_url, form)}
    client = TestClient(endpoint, base_url="https://line.test")
    assert client.post(path, content=urlencode(form).encode(), headers=headers).status_code == 200
    assert store.receipts == [
        Receipt(
            gateway="twilio",
            state=Delivery.FAILED,
            provider_id=OUTBOUND_SID,
            reply_to=INBOUND_SID,
            reason="twilio_30003",
        )
    ]
    # The same callback to another reply's URL is not Twilio's: the reply it names is signed.
    forged = path.replace(INBOUND_SID, "SM" + "9" * 32)
    assert client.post(forged, content=urlencode(form).encode(), headers=headers).status_code == 403
    assert len(store.receipts) == 1


def counted(gateway: str, state: str) -> float:
    return REGISTRY.get_sample_value("infoline_receipts_total", {"gateway": gateway, "state": state}) or 0.0


def test_receipts_are_counted_by_gateway_and_state_and_logged_without_ids_or_numbers(caplog):
    before = counted("africastalking", "failed"), counted("africastalking", "sent")
    client = at_client(Store())
    with caplog.at_level(logging.DEBUG, logger="service.web.receipts"):
        client.post(AT_URL, data=report("Failed", failureReason="UserInBlackList"))
        client.post(AT_URL, data=report("Buffered"))
        client.post(AT_URL, data=report("Nonsense"))  # refused: not counted as a receipt
    after = counted("africastalking", "failed"), counted("africastalking", "sent")
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    ours = [record for record in caplog.records if record.name == "service.web.receipts"]
    assert [(r.getMessage(), getattr(r, "gateway", None), getattr(r, "state", None)) for r in ours[:2]] == [
        ("receipt", "africastalking", "failed"),
        ("receipt", "africastalking", "sent"),
    ]
    assert ours[2].getMessage() == "receipt refused" and ours[2].status == 400
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in ours)
    assert PHONE[1:] not in logged and AT_ID not in logged and KEY not in logged


def test_a_caller_that_hangs_up_gets_nothing_and_nothing_is_applied():
    store, sent = Store(), []
    endpoint = ReceiptEndpoint(
        channel=africastalking_reports(SETTINGS), apply=store.apply, max_body=LIMIT, public_base_url=None
    )
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "path": "/delivery/africastalking",
        "query_string": f"key={KEY}".encode(),
        "headers": [(b"content-type", FORM.encode()), (b"content-length", b"10")],
    }

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    anyio.run(endpoint, scope, receive, send)
    assert sent == [] and store.receipts == []
