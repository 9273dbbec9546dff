"""Usage figures from the records: counts and segments, never a phone number; simulated texts left out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.store.base import run


@dataclass(frozen=True, slots=True)
class UsageRow:
    day: str  # YYYY-MM-DD, UTC
    program: str
    channel: str
    locale: str
    intent: str
    topic: str
    messages: int  # inbound texts
    replies: int  # texts the line sent back
    segments: int  # what the replies cost the program
    rate_limited: int


def usage(engine, *, since: datetime.datetime) -> list[UsageRow]:
    """Per day, program, channel, locale and what was asked: messages, replies, segments, rate-limited."""
    from sqlalchemy import case, func, select

    from service.store.schema import records

    day = func.date(records.c.created_at)
    keys = [day, records.c.program, records.c.channel, records.c.locale, records.c.intent, records.c.topic]
    query = (
        select(
            *keys,
            func.count(),
            func.sum(case((records.c.replied, 1), else_=0)),
            func.sum(records.c.segments),
            func.sum(case((records.c.rate_limited, 1), else_=0)),
        )
        .where(records.c.created_at >= since, records.c.simulated.is_(False))
        .group_by(*keys)
        .order_by(day, records.c.program, records.c.intent, records.c.topic)
    )

    def rows(connection):
        return [
            UsageRow(
                str(day_),
                program,
                channel,
                locale,
                intent,
                topic or "",
                int(messages),
                int(replies or 0),
                int(segments or 0),
                int(limited or 0),
            )
            for day_, program, channel, locale, intent, topic, messages, replies, segments, limited in connection.execute(
                query
            )
        ]

    return run(engine, rows)
