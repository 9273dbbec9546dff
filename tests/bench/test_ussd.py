"""The bench's USSD steps: distinct sessions, Africa's Talking's form; their row and checks in the report."""

import random
import sys
from pathlib import Path
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from harness import Result  # noqa: E402
from report import print_table  # noqa: E402
from ussd import SERVICE_CODE, check_ussd_lines, check_ussd_records, print_ussd, ussd_lines  # noqa: E402

from service.channels.africastalking import decode_step  # noqa: E402


def test_every_step_is_its_own_session_and_a_form_the_line_reads():
    lines = ussd_lines(500, random.Random(1), ["+15550000001", "+15550000002"], salt="abc123", phase=3)
    check_ussd_lines(lines)
    forms = [dict(parse_qsl(line.split("\t", 1)[1], keep_blank_values=True)) for line in lines]
    assert len({form["sessionId"] for form in forms}) == 500 and {form["serviceCode"] for form in forms} == {
        SERVICE_CODE
    }
    steps = [decode_step(line.split("\t", 1)[1].encode()) for line in lines]
    assert len({step.message_id for step in steps}) == 500 and {step.channel for step in steps} == {"ussd"}
    assert {form["text"] for form in forms} >= {"", "1", "3*1", "7"}


def ussd(**fields) -> Result:
    values = {"req_s": 1500.0, "p99_ms": 8.0, "requests": 900, "sent": 950, "warmup_requests": 100, "warmup_sent": 110}
    return Result(backend="sqlite", server="line", endpoint="ussd", **values | {"records": {"ussd": 1000}} | fields)


def test_the_ussd_endpoint_is_a_row_of_its_own_judged_on_its_p99(capsys):
    sms = Result(backend="sqlite", server="line", req_s=3000.0)
    print_table([sms, ussd()])
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split()[:4] for row in rows] == [
        ["sqlite", "line", "3,000", "0.00"],
        ["sqlite", "line", "ussd", "1,500"],
    ]
    print_ussd(ussd(), [sms, ussd()])
    assert "sqlite: line ussd: 1,500 req/s, 0.50x its /sms rate; p99 <= 20 ms PASS (8.00)" in capsys.readouterr().out
    print_ussd(ussd(p99_ms=25.0), [sms])
    assert "MISS (25.00)" in capsys.readouterr().out


def test_every_answered_step_must_be_recorded_once():
    assert check_ussd_records(ussd()) == []
    assert check_ussd_records(ussd(records={"ussd": 999}))  # fewer records than answers
    assert check_ussd_records(ussd(records={"ussd": 1061}))  # more than were sent
    assert check_ussd_records(ussd(non_2xx=1, records={"ussd": 999}))
