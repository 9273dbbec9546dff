"""The bench's Africa's Talking texts: distinct ids, AT's form, read by the line's own channel; their checks."""

import random
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from at_report import check_at  # noqa: E402
from at_sms import at_id, at_lines, check_at_lines, kenyan_numbers  # noqa: E402
from harness import HarnessError, Result  # noqa: E402

from service.channels.africastalking_sms import decode_text, message_id  # noqa: E402


def test_every_text_has_its_own_id_and_is_a_form_the_line_reads():
    senders = kenyan_numbers(50, random.Random(1))
    lines = at_lines(2000, random.Random(2), senders, salt="abc123", phase=3, gap=200)
    check_at_lines(lines)
    messages = [decode_text(line.split("\t", 1)[1].encode()) for line in lines]
    assert len({message.message_id for message in messages}) == 2000
    assert {message.send_via for message in messages} == {"africastalking"}
    assert {message.sender for message in messages} <= set(senders) and len(set(senders)) == 50
    assert [message.message_id for message in messages] == [message_id(at_id(3, "abc123", n)) for n in range(2000)]
    assert "STOP" in {message.body for message in messages}  # the measured phase has the /sms mix's STOPs


def test_the_warm_up_has_no_stop():
    lines = at_lines(2000, random.Random(2), ["+254700000001"], salt="abc123", phase=2, gap=200)
    assert "STOP" not in {dict(parse_qsl(line[1:]))["text"] for line in lines}


def test_a_line_with_a_signature_or_another_form_is_refused():
    good = at_lines(1, random.Random(2), ["+254700000001"], salt="abc123", phase=3, gap=200)[0]
    for bad in ("sig" + good, good.replace("networkCode", "network"), good.replace("id=at", "id=xx")):
        with pytest.raises(HarnessError):
            check_at_lines([bad])


def at_result(**backlog) -> Result:
    return Result(backend="sqlite", server="line", endpoint="at-sms", requests=100, sent=101, warmup_requests=10,
                  warmup_sent=10, records={"at": 110}, backlog=backlog)  # fmt: skip


@pytest.mark.parametrize(
    ("backlog", "failed"),
    [
        ({"fake_took": 90, "final": {"sent": 90}, "drained_after_s": 2.0}, []),
        ({"fake_took": 91, "final": {"sent": 90}, "drained_after_s": 2.0}, ["the fake took 91 messages"]),
        ({"fake_took": 90, "final": {"sent": 90}, "drained_after_s": None}, ["did not drain"]),
        ({"final": {"queued": 90}, "drained_after_s": None}, []),  # --no-at-sender: nothing to drain
    ],
)
def test_the_fake_must_take_each_sent_reply_once_and_the_outbox_drain(backlog, failed, capsys):
    found = check_at(at_result(**backlog))
    assert [any(part in text for text in found) for part in failed] == [True] * len(failed)
    assert len(found) == len(failed)


def test_more_records_than_texts_sent_fails():
    result = at_result(fake_took=0, final={}, drained_after_s=0.0)
    result.records = {"at": 112}
    assert any("not within" in text for text in check_at(result))


@pytest.mark.parametrize(
    ("fields", "said"),
    [({"non_2xx": 2, "warmup_non_2xx": 1}, "3 non-2xx answers"), ({"warmup_wraps": 1}, "ran out of distinct AT texts")],
)
def test_non_2xx_answers_and_repeated_texts_fail_the_run(fields, said):
    result = at_result(fake_took=90, final={"sent": 90}, drained_after_s=2.0)
    for name, value in fields.items():
        setattr(result, name, value)
    assert [text for text in check_at(result) if said in text] != []
