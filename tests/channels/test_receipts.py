"""The receipt channels: Africa's Talking's delivery reports (admitted by the callback key) and Twilio's
status callbacks (signed over the URL as called, ?reply=… included), each to a Receipt or a clear 4xx."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from service.channels.base import Delivery, InboundRequest, Receipt, Refused
from service.channels.receipts import AT_STATES, TWILIO_STATES, africastalking_reports, twilio_status
from service.settings import get_settings

KEY = "at-callback-key-0123456789abcdef"
TOKEN = "test-auth-token-0123456789abcdef"
BASE = "https://line.test"
PHONE = "+254711000123"
AT_ID = "ATXid_7f4d2b3c9e1a4b6f8d0c2e4a6b8d0f12"
INBOUND_SID = "SM" + "0123456789abcdef" * 2
OUTBOUND_SID = "SM" + "fedcba9876543210" * 2
Pairs = list[tuple[str, str]]


def request(path: str, query: str, pairs: Pairs, headers: dict[bytes, bytes] | None = None) -> InboundRequest:
    url = f"{BASE}{path}" + (f"?{query}" if query else "")
    body = urlencode(pairs).encode()
    return InboundRequest(method="POST", url=url, path=path, query=query.encode(), headers=headers or {}, body=body)


# --- Africa's Talking's delivery reports --------------------------------------------------------------


def report(**fields: str) -> Pairs:
    """The fields Africa's Talking posts for one delivery report."""
    form = {"id": AT_ID, "status": "Success", "phoneNumber": PHONE, "networkCode": "63902", "retryCount": "0"}
    return list((form | fields).items())


def at_decode(pairs: Pairs, query: str = f"key={KEY}", key: str | None = KEY) -> Receipt:
    settings = get_settings(africastalking_callback_key=SecretStr(key) if key else None)
    return africastalking_reports(settings).verify_and_decode(request("/delivery/africastalking", query, pairs))


@pytest.mark.parametrize(("word", "state"), sorted(AT_STATES.items()))
def test_each_of_africas_talkings_status_words_maps_to_a_delivery_state(word, state):
    assert at_decode(report(status=word)) == Receipt(gateway="africastalking", state=state, provider_id=AT_ID)


def test_africas_talkings_documented_words_are_each_mapped_as_the_line_reads_them():
    delivered = {word for word, state in AT_STATES.items() if state is Delivery.DELIVERED}
    failed = {word for word, state in AT_STATES.items() if state is Delivery.FAILED}
    assert delivered == {"Success"} and failed == {"Failed", "Rejected", "AbsentSubscriber", "Expired"}
    assert set(AT_STATES) - delivered - failed == {"Sent", "Submitted", "Buffered"}


@pytest.mark.parametrize(
    ("failure", "kept"),
    [
        ("InsufficientCredit", "InsufficientCredit"),
        ("UserInBlackList", "UserInBlackList"),
        ("NotNetworkSubcriber", "NotNetworkSubcriber"),  # sic: Africa's Talking's own spelling
        ("DeliveryFailure", "DeliveryFailure"),
        ("", ""),
        ("Sent to " + PHONE, "other"),  # free text is never kept
        ("Failed: 254711000123", "other"),
        ("x" * 41, "other"),
    ],
)
def test_a_failure_reason_is_kept_only_as_a_short_word(failure, kept):
    receipt = at_decode(report(status="Failed", failureReason=failure))
    assert (receipt.state, receipt.reason) == (Delivery.FAILED, kept)
    assert PHONE[1:] not in repr(receipt)


@pytest.mark.parametrize(
    ("case", "pairs", "query", "status"),
    [
        ("wrong key", report(), f"key={KEY[:-1]}x", 403),
        ("missing key", report(), "", 403),
        ("the key twice", report(), f"key={KEY}&key={KEY}", 403),
        ("key in the form instead", [*report(), ("key", KEY)], "", 403),
        ("no id", [p for p in report() if p[0] != "id"], f"key={KEY}", 400),
        ("an id with a space", report(id="AT id"), f"key={KEY}", 400),
        ("an id too long", report(id="a" * 65), f"key={KEY}", 400),
        ("no status", [p for p in report() if p[0] != "status"], f"key={KEY}", 400),
        ("a status Africa's Talking does not send", report(status="Delivered"), f"key={KEY}", 400),
        ("a status in lower case", report(status="success"), f"key={KEY}", 400),
        ("status twice", [*report(), ("status", "Failed")], f"key={KEY}", 400),
        ("id twice", [*report(), ("id", "ATXid_other")], f"key={KEY}", 400),
        ("failureReason twice", [*report(failureReason="A"), ("failureReason", "B")], f"key={KEY}", 400),
        ("too many fields", [(f"k{n}", "") for n in range(40)], f"key={KEY}", 400),
    ],
)
def test_africas_talking_report_refusals(case, pairs, query, status):
    with pytest.raises(Refused) as refused:
        at_decode(pairs, query)
    assert refused.value.status == status, case
    assert PHONE[1:] not in refused.value.reason and KEY not in refused.value.reason


def test_a_phone_number_in_the_report_is_never_kept():
    receipt = at_decode(report(phoneNumber="+254799888777"))
    assert "254799888777" not in repr(receipt)


def test_without_a_key_configured_every_report_is_refused():
    for query in (f"key={KEY}", "", "key=", "key=None"):
        with pytest.raises(Refused) as refused:
            at_decode(report(), query, key=None)
        assert refused.value.status == 403


# --- Twilio's status callbacks --------------------------------------------------------------------------


def callback(status: str = "delivered", **fields: str) -> Pairs:
    """The fields Twilio posts to a <Message action=…> URL."""
    form = {
        "MessageSid": OUTBOUND_SID,
        "SmsSid": OUTBOUND_SID,
        "AccountSid": "AC" + "1" * 32,
        "From": "+15005550000",
        "To": "+15551230001",
        "MessageStatus": status,
        "SmsStatus": status,
        "ApiVersion": "2010-04-01",
    }
    return list((form | fields).items())


def twilio_decode(pairs: Pairs, query: str = f"reply={INBOUND_SID}", signed_query: str | None = None) -> Receipt:
    """The receipt of a callback signed (with RequestValidator) for signed_query, sent to query."""
    signed = query if signed_query is None else signed_query
    signed_url = f"{BASE}/delivery/twilio" + (f"?{signed}" if signed else "")
    signature = RequestValidator(TOKEN).compute_signature(signed_url, dict(pairs))
    call = request("/delivery/twilio", query, pairs, {b"x-twilio-signature": signature.encode()})
    return twilio_status(get_settings(twilio_auth_token=TOKEN)).verify_and_decode(call)


@pytest.mark.parametrize(("word", "state"), sorted(TWILIO_STATES.items()))
def test_each_of_twilios_statuses_maps_to_a_delivery_state(word, state):
    assert twilio_decode(callback(word)) == Receipt(
        gateway="twilio", state=state, provider_id=OUTBOUND_SID, reply_to=INBOUND_SID
    )


def test_twilios_statuses_are_each_mapped_as_the_line_reads_them():
    by_state = {state: {word for word, s in TWILIO_STATES.items() if s is state} for state in Delivery}
    assert by_state[Delivery.DELIVERED] == {"delivered", "read"}
    assert by_state[Delivery.FAILED] == {"undelivered", "failed", "canceled"}
    assert by_state[Delivery.SENT] == {"queued", "accepted", "scheduled", "sending", "sent", "partially_delivered"}


@pytest.mark.parametrize(
    ("code", "reason"), [("30003", "twilio_30003"), ("30008", "twilio_30008"), ("", ""), ("3000x", "other")]
)
def test_an_error_code_is_kept_as_twilios_number(code, reason):
    receipt = twilio_decode(callback("undelivered", ErrorCode=code))
    assert (receipt.state, receipt.reason) == (Delivery.FAILED, reason)


@pytest.mark.parametrize(
    ("case", "make", "status"),
    [
        ("signed for another reply", lambda: twilio_decode(callback(), signed_query="reply=SM" + "9" * 32), 403),
        ("signed without the query", lambda: twilio_decode(callback(), signed_query=""), 403),
        ("tampered after signing", lambda: tampered(callback()), 403),
        ("not signed", lambda: unsigned(callback()), 403),
        ("signed with another token", lambda: unsigned(callback(), token="another-token"), 403),
        ("no reply in the URL", lambda: twilio_decode(callback(), query="", signed_query=""), 400),
        ("a reply that is no MessageSid", lambda: twilio_decode(callback(), query="reply=SM1"), 400),
        ("the reply twice", lambda: twilio_decode(callback(), query=f"reply={INBOUND_SID}&reply={INBOUND_SID}"), 400),
        ("an inbound message's status", lambda: twilio_decode(callback("received")), 400),
        ("receiving", lambda: twilio_decode(callback("receiving")), 400),
        ("no status", lambda: twilio_decode([p for p in callback() if p[0] != "MessageStatus"]), 400),
        ("a status Twilio does not send", lambda: twilio_decode(callback("Delivered")), 400),
        ("no MessageSid", lambda: twilio_decode([p for p in callback() if p[0] not in ("MessageSid", "SmsSid")]), 400),
        ("SmsSid not MessageSid", lambda: twilio_decode(callback(SmsSid=INBOUND_SID)), 400),
        ("MessageStatus twice", lambda: twilio_decode([*callback(), ("MessageStatus", "failed")]), 400),
        ("ErrorCode twice", lambda: twilio_decode([*callback(ErrorCode="1"), ("ErrorCode", "2")]), 400),
        ("a field holding a re-split MessageSid", lambda: twilio_decode(callback(To="+1555MessageSidSM1")), 400),
    ],
)
def test_twilio_callback_refusals(case, make, status):
    with pytest.raises(Refused) as refused:
        make()
    assert refused.value.status == status, case
    assert "+1555" not in refused.value.reason


def tampered(pairs: Pairs) -> Receipt:
    signature = RequestValidator(TOKEN).compute_signature(f"{BASE}/delivery/twilio?reply={INBOUND_SID}", dict(pairs))
    changed = [(name, "failed" if name == "MessageStatus" else value) for name, value in pairs]
    call = request("/delivery/twilio", f"reply={INBOUND_SID}", changed, {b"x-twilio-signature": signature.encode()})
    return twilio_status(get_settings(twilio_auth_token=TOKEN)).verify_and_decode(call)


def unsigned(pairs: Pairs, token: str | None = None) -> Receipt:
    url = f"{BASE}/delivery/twilio?reply={INBOUND_SID}"
    signature = RequestValidator(token).compute_signature(url, dict(pairs)) if token else None
    headers = {b"x-twilio-signature": signature.encode()} if signature else {}
    call = request("/delivery/twilio", f"reply={INBOUND_SID}", pairs, headers)
    return twilio_status(get_settings(twilio_auth_token=TOKEN)).verify_and_decode(call)


def test_without_an_auth_token_every_callback_is_refused():
    url = f"{BASE}/delivery/twilio?reply={INBOUND_SID}"
    signature = RequestValidator(TOKEN).compute_signature(url, dict(callback()))
    call = request("/delivery/twilio", f"reply={INBOUND_SID}", callback(), {b"x-twilio-signature": signature.encode()})
    with pytest.raises(Refused) as refused:
        twilio_status(get_settings(twilio_auth_token=None)).verify_and_decode(call)
    assert refused.value.status == 403
