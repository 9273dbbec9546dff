"""The one flow, on both backends: messages that arrive together share a transaction and are answered
one by one inside it; a database that refuses or goes away loses nothing."""

import asyncio
import dataclasses
from contextlib import contextmanager

import httpx2 as httpx
import pytest

from service.app import create_app
from service.batching import Batcher
from service.channels.twilio import Form, decode
from service.store import StoreUnavailable
from tests.conftest import BASE_URL, sign, twilio_form
from tests.store_helpers import count_records, find_record


@pytest.fixture
def app(settings, database_url):
    return create_app(settings.model_copy(update={"database_url": database_url}))


async def post_all(app, forms: list[dict]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await asyncio.gather(
            *(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}) for form in forms)
        )


class Faulty:
    """The line's own unit of work, with one message's write failing as `fault` says."""

    def __init__(self, unit, *, message_sid: str, fault: Exception):
        self._unit, self.sid, self.fault = unit, message_sid, fault
        self.sqlite = unit.sqlite
        self.peek, self.transaction, self.scalar, self.close = unit.peek, unit.transaction, unit.scalar, unit.close

    @contextmanager
    def begin(self):
        with self._unit.begin() as transaction:
            yield FaultyTransaction(transaction, self)


class FaultyTransaction:
    def __init__(self, transaction, faulty: Faulty):
        self._transaction, self._faulty = transaction, faulty

    def states(self, keys):
        return self._transaction.states(keys)

    def save(self, items):
        if any(record.message_sid == self._faulty.sid for record, _ in items):
            raise self._faulty.fault
        return self._transaction.save(items)


def with_unit(line, unit) -> Batcher:
    """A batcher whose flow writes through unit."""
    flow = dataclasses.replace(line.flow, unit=unit)
    return Batcher(flow.handle, inline=unit.sqlite)


def answer_all(batcher: Batcher, forms: list[dict], *, cancel_first: bool = False):
    async def scenario():
        futures = [batcher.answer(decode(Form(form))) for form in forms]
        if cancel_first:
            futures[0].cancel()
            futures = futures[1:]
        return await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), timeout=10)

    return asyncio.run(scenario())


def test_messages_that_arrive_together_share_a_transaction_and_are_all_recorded(app):
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(60)]
    responses = asyncio.run(post_all(app, forms))
    assert [r.status_code for r in responses] == [200] * 60
    line = app.state.line
    assert count_records(line.store) == 60
    assert 1 <= line.batcher.groups < 60  # they were written together, not one COMMIT each
    assert all("</Message>" in r.text for r in responses)


def test_a_senders_messages_are_answered_in_turn(app):
    forms = [twilio_form("LANG ES"), twilio_form("HER2"), twilio_form("LANG EN"), twilio_form("CHEMO")]
    responses = asyncio.run(post_all(app, forms))
    assert [r.status_code for r in responses] == [200] * 4
    assert app.state.line.batcher.groups == 1  # together, in one transaction
    store = app.state.line.store
    assert [find_record(store, form["MessageSid"]).locale for form in forms] == ["es", "es", "en", "en"]


def test_a_duplicate_in_the_same_turn_is_answered_once_with_the_same_reply(app):
    form = twilio_form("CHEMO")
    first, again = asyncio.run(post_all(app, [form, dict(form)]))
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert app.state.line.batcher.groups == 1 and count_records(app.state.line.store) == 1


def test_a_write_refused_for_good_does_not_take_the_others_with_it(app):
    line = app.state.line
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(3)]
    refused = StoreUnavailable("IntegrityError", transient=False)
    batcher = with_unit(line, Faulty(line.store.unit, message_sid=forms[1]["MessageSid"], fault=refused))
    replies = answer_all(batcher, forms)
    assert all(reply.body for reply in replies)
    assert find_record(line.store, forms[0]["MessageSid"]) and find_record(line.store, forms[2]["MessageSid"])
    assert [record.message_sid for record, _ in line.spool.entries()] == [forms[1]["MessageSid"]]


def test_when_the_database_is_away_every_message_is_answered_and_spooled(app):
    line = app.state.line
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(4)] + [twilio_form("STOP")]
    away = StoreUnavailable("OperationalError")
    batcher = with_unit(line, Faulty(line.store.unit, message_sid=forms[0]["MessageSid"], fault=away))
    replies = answer_all(batcher, forms)
    assert all(reply.body for reply in replies)
    assert sorted(record.message_sid for record, _ in line.spool.entries()) == sorted(f["MessageSid"] for f in forms)
    assert line.spool.opted_out(line.spool.entries()[-1][0].sender_key)[0] is True
    assert count_records(line.store) == 0  # the group rolled back whole; the spool has it all


def test_a_message_whose_caller_went_away_is_still_recorded_and_the_others_answered(app):
    line = app.state.line
    forms = [twilio_form("CHEMO", From=f"+1555123{n:04d}") for n in range(3)]
    replies = answer_all(line.batcher, forms, cancel_first=True)
    assert all(reply.body for reply in replies)
    assert all(find_record(line.store, form["MessageSid"]) is not None for form in forms)


def test_a_bug_while_answering_one_message_fails_that_one_and_leaves_none_waiting(app):
    line = app.state.line
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(3)]
    bug = RuntimeError("a bug")
    batcher = with_unit(line, Faulty(line.store.unit, message_sid=forms[1]["MessageSid"], fault=bug))
    results = answer_all(batcher, forms)
    assert [type(result).__name__ for result in results] == ["Reply", "RuntimeError", "Reply"]
    assert count_records(line.store) == 2 and not line.spool.pending()  # a bug is not an outage: nothing spooled


def test_what_a_rolled_back_group_answered_by_is_not_kept(app):
    line = app.state.line
    her_lang, failing = twilio_form("LANG ES"), twilio_form("HER2", From="+15551239999")
    away = StoreUnavailable("OperationalError")  # the whole group rolls back, LANG ES with it
    answer_all(
        with_unit(line, Faulty(line.store.unit, message_sid=failing["MessageSid"], fault=away)), [her_lang, failing]
    )
    (reply,) = answer_all(line.batcher, [twilio_form("CHEMO")])
    assert reply.locale == "en"  # her LANG ES waits in the spool, not in memory
    assert her_lang["MessageSid"] in {record.message_sid for record, _ in line.spool.entries()}
