"""SQLite's unit of work keeps senders' states between groups, and reads them again after any other write."""

import asyncio
import sqlite3

from service.app import create_app
from service.channels.twilio import Form, decode
from tests.conftest import twilio_form
from tests.store_helpers import find_record


def answer(line, body: str):
    async def one():
        return await line.batcher.answer(decode(Form(twilio_form(body))))

    return asyncio.run(one())


def test_a_state_changed_by_another_connection_is_read_again(settings):
    line = create_app(settings).state.line
    answer(line, "HER2")  # her state is now kept in memory
    key = find_record(line.store, line.store.unit.scalar("SELECT message_sid FROM records")).sender_key
    other = sqlite3.connect(line.store.unit.path, isolation_level=None)
    other.execute("UPDATE subscribers SET locale = 'es' WHERE key = ?", (key,))  # as another worker would
    other.close()
    assert answer(line, "CHEMO").locale == "es"


def test_a_save_outside_the_group_on_the_same_connection_is_read_again(settings):
    line = create_app(settings).state.line

    async def scenario():
        await line.batcher.answer(decode(Form(twilio_form("HER2"))))  # her state is now kept in memory
        line.flow.handle([decode(Form(twilio_form("LANG ES")))])  # the same thread, so the same connection
        return await line.batcher.answer(decode(Form(twilio_form("CHEMO"))))

    assert asyncio.run(scenario()).locale == "es"


def test_while_another_connection_holds_the_write_lock_her_opt_out_still_holds(settings):
    from service.observability import DEGRADED

    line = create_app(settings).state.line
    answer(line, "STOP")
    other = sqlite3.connect(line.store.unit.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker writing, for longer than the busy timeout
    saves_degraded = DEGRADED.labels(step="save")._value.get()
    try:
        forms = [twilio_form("HER2"), twilio_form("CHEMO", From="+15551239999")]

        async def both():
            return await asyncio.gather(*(line.batcher.answer(decode(Form(form))) for form in forms))

        quiet, answered = asyncio.run(both())
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert quiet.body is None  # she opted out: her stored state is read apart from the failed write
    assert answered.body
    assert DEGRADED.labels(step="save")._value.get() == saves_degraded + 2  # one per message, not per group
    assert {record.message_sid for record, _ in line.spool.entries()} == {form["MessageSid"] for form in forms}
