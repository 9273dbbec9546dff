"""Group commit: messages that arrive together share a COMMIT and are answered one by one inside it."""

import asyncio

import httpx2 as httpx

from service.app import create_app
from service.store import StoreUnavailable
from tests.conftest import BASE_URL, sign, twilio_form


async def post_all(app, forms: list[dict]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await asyncio.gather(
            *(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)}) for form in forms)
        )


def test_messages_that_arrive_together_share_a_commit_and_are_all_recorded(settings):
    app = create_app(settings)
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(60)]
    responses = asyncio.run(post_all(app, forms))
    assert [r.status_code for r in responses] == [200] * 60
    line = app.state.line
    assert line.store.count_records() == 60
    assert 1 <= line.group.commits < 60  # they were written together, not one COMMIT each
    assert all("<Message>" in r.text for r in responses)


def test_a_senders_messages_are_answered_in_turn(settings):
    app = create_app(settings)
    forms = [twilio_form("LANG ES"), twilio_form("HER2"), twilio_form("LANG EN"), twilio_form("CHEMO")]
    responses = asyncio.run(post_all(app, forms))
    assert [r.status_code for r in responses] == [200] * 4
    assert app.state.line.group.commits == 1  # together, in one transaction
    store = app.state.line.store
    locales = [store.find(message_sid=form["MessageSid"]).locale for form in forms]
    assert locales == ["es", "es", "en", "en"]


def test_a_duplicate_in_the_same_turn_is_answered_once_with_the_same_reply(settings):
    app = create_app(settings)
    form = twilio_form("CHEMO")
    first, again = asyncio.run(post_all(app, [form, dict(form)]))
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert app.state.line.group.commits == 1 and app.state.line.store.count_records() == 1


def refuse_for_good(line, bad_sid: str):
    save_in = line.store.save_in

    def refusing(cursor, *, record, **kwargs):
        if record.message_sid == bad_sid:
            raise StoreUnavailable("IntegrityError", transient=False)
        return save_in(cursor, record=record, **kwargs)

    line.store.save_in = refusing


def test_a_write_refused_for_good_does_not_take_the_others_with_it(settings):
    app = create_app(settings)
    line = app.state.line
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(3)]
    refuse_for_good(line, forms[1]["MessageSid"])
    responses = asyncio.run(post_all(app, forms))
    assert [r.status_code for r in responses] == [200] * 3 and all("<Message>" in r.text for r in responses)
    assert line.store.find(message_sid=forms[0]["MessageSid"]) and line.store.find(message_sid=forms[2]["MessageSid"])
    assert [record.message_sid for record, _ in line.spool.entries()] == [forms[1]["MessageSid"]]


def test_when_the_database_is_away_every_message_is_answered_and_spooled(settings):
    app = create_app(settings)
    line = app.state.line

    def away():
        raise StoreUnavailable("OperationalError")

    line.store.write_transaction = away
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(4)] + [twilio_form("STOP")]
    responses = asyncio.run(post_all(app, forms))
    assert [r.status_code for r in responses] == [200] * 5 and all("<Message>" in r.text for r in responses)
    assert sorted(record.message_sid for record, _ in line.spool.entries()) == sorted(f["MessageSid"] for f in forms)
    assert line.spool.opted_out(line.spool.entries()[-1][0].sender_key)[0] is True


def test_a_message_whose_caller_went_away_is_still_recorded_and_the_others_answered(settings):
    app = create_app(settings)
    line = app.state.line
    forms = [twilio_form("CHEMO", From=f"+1555123{n:04d}") for n in range(3)]

    async def scenario():
        from service.channels.twilio import Form, decode

        futures = [line.group.answer(decode(Form(form))) for form in forms]
        futures[0].cancel()
        return await asyncio.wait_for(asyncio.gather(*futures[1:]), timeout=5)

    replies = asyncio.run(scenario())
    assert all(reply.body for reply in replies)
    assert all(line.store.find(message_sid=form["MessageSid"]) is not None for form in forms)


def test_a_state_changed_by_another_connection_is_read_again(settings, tmp_path):
    import sqlite3

    app = create_app(settings)
    line = app.state.line
    asyncio.run(post_all(app, [twilio_form("HER2")]))  # her state is now kept in memory
    key = line.store.find(message_sid=line.store.direct.scalar("SELECT message_sid FROM records")).sender_key
    other = sqlite3.connect(line.store.direct.path, isolation_level=None)
    other.execute("UPDATE subscribers SET locale = 'es' WHERE key = ?", (key,))  # as another worker would
    other.close()
    form = twilio_form("CHEMO")
    asyncio.run(post_all(app, [form]))
    assert line.store.find(message_sid=form["MessageSid"]).locale == "es"


def test_a_bug_while_answering_one_message_fails_that_one_and_leaves_none_waiting(settings):
    app = create_app(settings)
    line = app.state.line
    forms = [twilio_form("HER2", From=f"+1555123{n:04d}") for n in range(3)]
    save_in = line.store.save_in

    def broken_for_one(cursor, *, record, **kwargs):
        if record.message_sid == forms[1]["MessageSid"]:
            raise RuntimeError("a bug")
        return save_in(cursor, record=record, **kwargs)

    line.store.save_in = broken_for_one

    async def scenario():
        from service.channels.twilio import Form, decode

        futures = [line.group.answer(decode(Form(form))) for form in forms]
        return await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), timeout=5)

    results = asyncio.run(scenario())
    assert [type(result).__name__ for result in results] == ["Reply", "RuntimeError", "Reply"]
    assert line.store.count_records() == 2


def test_while_another_connection_holds_the_write_lock_her_opt_out_still_holds(settings):
    import sqlite3

    from service.observability import DEGRADED

    app = create_app(settings)
    line = app.state.line
    asyncio.run(post_all(app, [twilio_form("STOP")]))
    other = sqlite3.connect(line.store.direct.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker writing, for longer than the busy timeout
    saves_degraded = DEGRADED.labels(step="save")._value.get()
    try:
        forms = [twilio_form("HER2"), twilio_form("CHEMO", From="+15551239999")]
        quiet, answered = asyncio.run(post_all(app, forms))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert quiet.status_code == answered.status_code == 200
    assert "<Message>" not in quiet.text  # she opted out: her stored state is read apart from the failed write
    assert "<Message>" in answered.text
    assert DEGRADED.labels(step="save")._value.get() == saves_degraded + 2  # one per message, not per group
    assert {record.message_sid for record, _ in line.spool.entries()} == {form["MessageSid"] for form in forms}


def test_a_save_outside_the_group_on_the_same_connection_is_read_again(settings):
    from service.answer import answer
    from service.channels.twilio import Form, decode

    app = create_app(settings)
    line = app.state.line

    async def scenario():
        await line.group.answer(decode(Form(twilio_form("HER2"))))  # her state is now kept in memory
        answer(line=line, message=decode(Form(twilio_form("LANG ES"))))  # the same thread, so the same connection
        return await line.group.answer(decode(Form(twilio_form("CHEMO"))))

    assert asyncio.run(scenario()).locale == "es"


def test_what_a_rolled_back_group_answered_by_is_not_kept(settings):
    from service.channels.twilio import Form, decode

    app = create_app(settings)
    line = app.state.line
    her_lang, failing = twilio_form("LANG ES"), twilio_form("HER2", From="+15551239999")
    save_in = line.store.save_in

    def away_for_one(cursor, *, record, **kwargs):
        if record.message_sid == failing["MessageSid"]:
            raise StoreUnavailable("OperationalError")  # the whole group rolls back, LANG ES with it
        return save_in(cursor, record=record, **kwargs)

    line.store.save_in = away_for_one

    async def scenario():
        await asyncio.gather(*(line.group.answer(decode(Form(form))) for form in (her_lang, failing)))
        line.store.save_in = save_in
        return await line.group.answer(decode(Form(twilio_form("CHEMO"))))

    assert asyncio.run(scenario()).locale == "en"  # her LANG ES waits in the spool, not in memory
    assert her_lang["MessageSid"] in {record.message_sid for record, _ in line.spool.entries()}
