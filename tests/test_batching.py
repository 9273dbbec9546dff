"""The batcher: what arrives together goes as one group, never more than MAX_GROUP at once."""

import asyncio

import pytest

from service.batching import MAX_GROUP, Batcher
from service.core import InboundMessage, Reply
from service.core.types import Intent


def messages(count: int) -> list[InboundMessage]:
    return [InboundMessage(message_id=f"SM{n}", sender="+15551230001", recipient="", body="HER2") for n in range(count)]


@pytest.mark.parametrize("inline", [True, False])
def test_a_burst_goes_in_groups_of_at_most_max_group_and_every_message_is_answered(inline):
    sizes: list[int] = []

    def handle(group):
        sizes.append(len(group))
        return [Reply(body=message.message_id, intent=Intent.TOPIC, locale="en") for message in group]

    batcher = Batcher(handle, inline=inline, in_flight=1 if inline else 3)

    async def burst():
        return await asyncio.gather(*(batcher.answer(message) for message in messages(2 * MAX_GROUP + 10)))

    replies = asyncio.run(burst())
    assert [reply.body for reply in replies] == [f"SM{n}" for n in range(2 * MAX_GROUP + 10)]
    assert sum(sizes) == 2 * MAX_GROUP + 10 and max(sizes) == MAX_GROUP and len(sizes) == 3
