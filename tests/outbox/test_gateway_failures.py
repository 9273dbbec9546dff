"""The gateway's failures through the line: each scripted on the fake API, the reply's fate read from the outbox.

After its fate, another text goes through the same sender: a final row is not tried again meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.fake_africastalking import API_KEY, FakeAfricasTalking
from tests.outbox.helpers import outbox_table, post_text, wait_for

PHONE, OTHER_PHONE = "+254711000123", "+254711000999"
FIRST_RETRY_WITHIN_SECONDS = 5.0
MAX_BODY_BYTES = 64 * 1024


def nothing(fake: FakeAfricasTalking) -> None:
    """The fake as it is."""


@dataclass(frozen=True)
class Case:
    script: Callable[[FakeAfricasTalking], None]  # before her text
    status: str
    attempts: int
    sends: int  # messages the fake took for her number
    reason: str | None
    first_try: str | None = None  # why the first try failed, when it is retried
    # Once her reply's first try failed (then queued again): what lets the next try through.
    mend: Callable[[FakeAfricasTalking], None] = nothing


def hang(fake: FakeAfricasTalking) -> None:
    fake.hang = True


def answer(fake: FakeAfricasTalking) -> None:
    fake.hang = False


def padded(fake: FakeAfricasTalking) -> None:
    fake.padding = MAX_BODY_BYTES + 1000  # a valid 201, longer than the line reads


def slow(fake: FakeAfricasTalking) -> None:
    fake.delay = 0.6  # within the 1 s send timeout


def wrong_key(fake: FakeAfricasTalking) -> None:
    fake.api_key = "another-account-key-0123456789"


CASES = {
    "500s, then OK": Case(lambda fake: fake.fail_next(2, 500), "sent", 3, 1, None, "http_500"),
    "503, then OK": Case(lambda fake: fake.fail_next(1, 503), "sent", 2, 1, None, "http_503"),
    "429 too many, then OK": Case(lambda fake: fake.fail_next(1, 429), "sent", 2, 1, None, "http_429"),
    "a timeout, then an answer": Case(hang, "sent", 2, 1, None, "timeout", mend=answer),
    "refused connections, then listening": Case(
        FakeAfricasTalking.stop, "sent", 2, 1, None, "connect", mend=FakeAfricasTalking.start
    ),  # fmt: skip
    "slow within the timeout": Case(slow, "sent", 1, 1, None),
    "a 2xx it cannot read": Case(padded, "unknown", 1, 1, "bad_response"),
    "401 wrong key": Case(wrong_key, "failed", 1, 0, "http_401"),
    "400 bad request": Case(lambda fake: fake.fail_next(1, 400), "failed", 1, 0, "http_400"),
    "the recipient refused": Case(
        lambda fake: setattr(fake, "recipient_status", 406), "failed", 1, 0, "UserInBlacklist"
    ),  # fmt: skip
    "no failure": Case(nothing, "sent", 1, 1, None),
}


def row_of(line, phone_sid: str) -> dict:
    [row] = [row for row in outbox_table(line.store.unit) if row["message_sid"] == phone_sid]
    return row


def to(fake: FakeAfricasTalking, phone: str) -> int:
    return sum(message["to"] == phone for message in list(fake.sent))


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_gateway_failure_ends_in_its_fate_and_a_final_one_is_never_tried_again(line_client, fake, case):
    line, client = line_client
    case.script(fake)
    assert post_text(client, "HER2", **{"from": PHONE}).status_code == 200
    [sid] = [row["message_sid"] for row in outbox_table(line.store.unit)]
    if case.first_try:
        first = wait_for(lambda: (row := row_of(line, sid))["status"] == "queued" and row["attempts"] == 1 and row)
        assert first["reason"] == case.first_try
        assert 0 < first["next_at"] - first["claimed_at"] <= FIRST_RETRY_WITHIN_SECONDS  # the row's clock, not ours
        case.mend(fake)
    final = wait_for(lambda: (row := row_of(line, sid))["status"] not in ("queued", "sending") and row, seconds=30)
    assert (final["status"], final["attempts"], final["reason"]) == (case.status, case.attempts, case.reason)
    assert (final["recipient"], final["body"], final["link_id"]) == (None, None, "")
    assert (final["provider_id"] is not None) == (case.status == "sent")
    # Another text through the same sender once the gateway is well: hers is not tried again meanwhile.
    fake.reset()
    fake.api_key = API_KEY
    calls = fake.calls
    post_text(client, "HER2", **{"from": OTHER_PHONE})
    wait_for(lambda: to(fake, OTHER_PHONE))
    assert (to(fake, PHONE), fake.calls) == (case.sends, calls + 1)
    again = row_of(line, sid)
    assert (again["status"], again["attempts"]) == (case.status, case.attempts)
