"""A month of a national line's records, made up and written fast, with the daily rollups that match them
(bench/usage_scale.py times the usage pages over them).

The "wide" mix leans as a line in East Africa might (most texts by SMS, in English or Swahili, about a topic)
with two programs, four channels and ten languages; at ~67,000 records a day every day × program × channel ×
locale × intent × topic occurs, so the rollups hold as many rows as such a line's would (~1,000 a day). The
"narrow" mix is one program by SMS and USSD in two languages (~50 a day). The usage pages' time follows the
rollup rows, not the records.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterator

from service.core.types import Delivery
from service.store import rollups
from service.store.statements import RECORD_COLUMNS

COLUMNS = (*RECORD_COLUMNS, "cost", "currency")
PROGRAMS = (("hope-clinic", 70), ("default", 30))
CHANNELS = (("sms", 75), ("ussd", 15), ("whatsapp", 7), ("voice", 3))
LOCALES = (("en", 35), ("sw", 35), ("fr", 8), ("es", 5), ("pt", 5), ("ar", 4), ("hi", 3), ("zh", 2), ("vi", 2),
           ("tl", 1))  # fmt: skip
TOPICS = ("her2", "hormone", "chemo", "surgery", "radiation", "goals")
ASKED = (*((("topic", topic), 70 / len(TOPICS)) for topic in TOPICS), (("menu", None), 12), (("help", None), 4),
         (("unknown", None), 6), (("language", None), 2), (("language_set", None), 2), (("stop", None), 2),
         (("start", None), 2))  # fmt: skip
# What became of a text reply sent through a gateway, by weight (None: a USSD screen or a call, no delivery).
FATES = (("delivered", 85), ("sent", 8), ("failed", 4), ("queued", 1), ("unknown", 1), ("cancelled", 1))
# A line of one program, by SMS and USSD, in English and Swahili: ~20 times fewer rollup rows than "wide".
MIXES = {
    "wide": (PROGRAMS, CHANNELS, LOCALES),
    "narrow": ((("hope-clinic", 1),), (("sms", 85), ("ussd", 15)), (("en", 50), ("sw", 50))),
}
UCS2_LOCALES = frozenset({"ar", "hi", "zh", "vi"})
PRICE, CURRENCY = 0.8, "KES"
SENDER_POOL = 200_000
CHUNK = 50_000


def stamp(moment: datetime.datetime) -> str:
    """created_at as the line writes it into SQLite (service.store.sqlite.stamp): UTC, no zone."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def weighted(rng: random.Random, table: tuple, count: int) -> list:
    """`count` values drawn from a (value, weight) table."""
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights, k=count)


def chunks(*, count: int, days: int, now: datetime.datetime, seed: int, mix: str = "wide") -> Iterator[list[tuple]]:
    """The records as tuples in COLUMNS' order, CHUNK at a time, created within `days` before `now`, drawn
    from MIXES[mix]."""
    rng = random.Random(seed)
    senders = [f"{rng.getrandbits(256):064x}" for _ in range(min(SENDER_POOL, max(count, 1)))]
    for start in range(0, count, CHUNK):
        yield make_chunk(rng, senders, start=start, size=min(CHUNK, count - start), days=days, now=now, mix=mix)


def make_chunk(rng: random.Random, senders: list[str], *, start: int, size: int, days: int,
               now: datetime.datetime, mix: str) -> list[tuple]:  # fmt: skip
    """`size` records, the first numbered `start` (its MessageSid, unique across the run)."""
    programs, channels, locales = MIXES[mix]
    columns = zip(weighted(rng, programs, size), weighted(rng, channels, size), weighted(rng, locales, size),
                  weighted(rng, ASKED, size), weighted(rng, FATES, size), strict=True)  # fmt: skip
    span = days * 86_400
    rows = []
    for index, (program, channel, locale, (intent, topic), fate) in enumerate(columns, start):
        created = stamp(now - datetime.timedelta(seconds=rng.random() * span))
        limited = rng.random() < 0.01  # a sender past her reply cap gets no reply
        texted = channel in ("sms", "whatsapp") and not limited
        segments = rng.choice((1, 1, 2, 3)) if texted else 0
        delivery = fate if texted else None
        priced = delivery in ("delivered", "sent", "failed")
        cost = PRICE * segments if priced and delivery != "failed" else None
        rows.append((f"SM{index:032x}", rng.choice(senders), program, channel, intent, topic, locale, segments,
                     "ucs2" if locale in UCS2_LOCALES else "gsm7", not limited, limited, False, created, delivery,
                     "africastalking" if channel == "ussd" else "twilio", cost, CURRENCY if cost else None))  # fmt: skip
    return rows


def add_to_rollups(totals: dict[tuple, Counter], rows: list[tuple]) -> None:
    """Count `rows` into `totals` (rollup key -> counts), as the line's writes and receipts would."""
    at = {name: COLUMNS.index(name) for name in COLUMNS}
    for row in rows:
        key = (row[at["created_at"]][:10], row[at["program"]], row[at["channel"]], row[at["gateway"]], row[at["locale"]],
               row[at["intent"]], row[at["topic"]] or "")  # fmt: skip
        counts = totals.setdefault(key, Counter())
        counts["messages"] += 1
        counts["replies"] += row[at["replied"]]
        counts["segments"] += row[at["segments"]]
        counts["rate_limited"] += row[at["rate_limited"]]
        delivery = row[at["delivery"]]
        if delivery in ("queued", "sent", "unknown"):
            counts["pending"] += 1
        elif delivery is not None:
            counts[rollups.COLUMN_OF[Delivery(delivery)]] += 1
        counts["cost"] += row[at["cost"]] or 0.0


def rollup_rows(totals: dict[tuple, Counter]) -> list[dict[str, object]]:
    """rollups.add_sql's parameters for every key counted."""
    return [
        dict(zip(rollups.KEY, key, strict=True))
        | {name: counts[name] for name in rollups.COUNTS}
        | {"cost": counts["cost"], "currency": CURRENCY if counts["cost"] else None}
        for key, counts in sorted(totals.items())
    ]
