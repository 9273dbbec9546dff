"""Group commit: messages of one event-loop turn share a COMMIT; a sender's messages take turns."""

import asyncio

import httpx2 as httpx
import pytest

from service.app import create_app
from service.store import Change, Record, StoreUnavailable
from service.store.group import GroupCommit
from tests.conftest import BASE_URL, sign, twilio_form


async def post_all(app, forms: list[dict]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await asyncio.gather(*(client.post("/sms", data=form, headers={"X-Twilio-Signature": sign(form)})
                                      for form in forms))


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
    store = app.state.line.store
    locales = [store.find(message_sid=form["MessageSid"]).locale for form in forms]
    assert locales == ["es", "es", "en", "en"]


def test_a_duplicate_in_the_same_turn_is_answered_once_with_the_same_reply(settings):
    app = create_app(settings)
    form = twilio_form("CHEMO")
    first, again = asyncio.run(post_all(app, [form, dict(form)]))
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert app.state.line.store.count_records() == 1


def record(sid: str) -> Record:
    return Record(message_sid=sid, sender_key="k" * 64, program="default", channel="sms", intent="topic",
                  topic="her2", locale="en", segments=1, encoding="GSM-7", replied=True)


class FlakyStore:
    """save_many fails as told; save() alone refuses only the bad message."""

    def __init__(self, *, transient: bool, bad: str = "SMbad"):
        self.transient, self.bad, self.alone = transient, bad, []

    def save_many(self, items):
        raise StoreUnavailable("OperationalError" if self.transient else "IntegrityError", transient=self.transient)

    def save(self, *, record, change):
        self.alone.append(record.message_sid)
        if record.message_sid == self.bad:
            raise StoreUnavailable("IntegrityError", transient=False)
        return None


async def save_together(group: GroupCommit, sids: list[str]) -> list:
    futures = [group.save(record=record(sid), change=Change(at=0.0)) for sid in sids]
    return await asyncio.gather(*futures, return_exceptions=True)


def test_a_write_refused_for_good_does_not_take_the_others_with_it():
    store = FlakyStore(transient=False)
    results = asyncio.run(save_together(GroupCommit(store), ["SM1", "SMbad", "SM2"]))
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], StoreUnavailable) and not results[1].transient
    assert store.alone == ["SM1", "SMbad", "SM2"]


def test_when_the_database_is_away_every_message_of_the_group_hears_so():
    store = FlakyStore(transient=True)
    results = asyncio.run(save_together(GroupCommit(store), ["SM1", "SM2"]))
    assert all(isinstance(r, StoreUnavailable) and r.transient for r in results)
    assert store.alone == []  # a transient failure is not retried one by one: the spool takes them


def test_a_message_cancelled_while_waiting_its_turn_does_not_hold_up_the_next():
    async def scenario():
        group = GroupCommit(FlakyStore(transient=True))
        first = await group.take_turn("k")
        waiting = asyncio.ensure_future(group.take_turn("k"))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        group.end_turn("k", first)
        third = await asyncio.wait_for(group.take_turn("k"), timeout=1)
        group.end_turn("k", third)
        return group._turns

    assert asyncio.run(scenario()) == {}
