"""One message's answer by its sender's state: the reply cap holds texts, never a USSD or voice step."""

import pytest

from service.core import InboundMessage
from service.core.types import Subscriber
from service.replies import answer_by_state
from service.snapshot import ContentSnapshot
from service.store.records import SubscriberState

NOW = 1_000_000.0
BODY = {"sms": "HER2", "whatsapp": "HER2", "ussd": "1", "voice": "1"}


@pytest.mark.parametrize(("channel", "held"), [("sms", True), ("whatsapp", True), ("ussd", False), ("voice", False)])
def test_a_sender_over_her_reply_cap_is_held_on_texts_only_and_steps_use_none_of_it(
    catalogs, programs, program, channel, held
):
    # Over both caps: her short window and her hour are full.
    over = SubscriberState(Subscriber("en"), window_start=NOW - 1, window_count=99, hour_start=NOW - 1, hour_count=99)
    message = InboundMessage(message_id="M1", sender="+15551230001", recipient="", body=BODY[channel], channel=channel)
    answer = answer_by_state(
        message=message, key="k", program=program, stored=over, now=NOW, simulated=False, spool=None,
        snapshot=ContentSnapshot(catalogs=catalogs, programs=programs),
    )  # fmt: skip
    assert answer.limited is held and answer.record.rate_limited is held
    assert (answer.reply.body is None) is held
    # A step that is answered still counts toward nothing: her texts' window is left as it is.
    assert answer.change.replied is False


@pytest.mark.parametrize(("channel", "counted"), [("sms", True), ("ussd", False), ("voice", False)])
def test_only_a_text_reply_uses_her_allowance(catalogs, programs, program, channel, counted):
    message = InboundMessage(message_id="M1", sender="+15551230001", recipient="", body=BODY[channel], channel=channel)
    answer = answer_by_state(
        message=message, key="k", program=program, stored=SubscriberState(Subscriber("en")), now=NOW,
        simulated=False, spool=None, snapshot=ContentSnapshot(catalogs=catalogs, programs=programs),
    )  # fmt: skip
    assert answer.reply.body and answer.change.replied is counted
