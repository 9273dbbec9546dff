"""The outbox's SQL: replies queued with their message's record, claimed by one sender at a time, settled.

A row is `queued` until a sender claims it (`sending`, under a claim token), then `sent`, `failed`,
`dead` (given up on), `cancelled` (her STOP came first) or `unknown` (its sender died mid-send: never
sent again, in case it went). The number and text are cleared as soon as a row's fate is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.core.types import Delivery
from service.store import deliveries
from service.store.dialect import Dialect, in_dialect

QUEUE = """
INSERT INTO outbox (message_sid, gateway, program, sender_key, recipient, body, sender_id, link_id, status,
                    attempts, next_at, created_at)
VALUES (:message_sid, :gateway, :program, :sender_key, :recipient, :body, :sender_id, :link_id, 'queued', 0, :at, :at)
ON CONFLICT (message_sid) DO NOTHING
"""
# What a row forgets once its fate is final: her number, the text, and AT's link id (AT's own, but nothing keeps
# it from holding digits, and it is needed only to send).
FORGOTTEN = "recipient = NULL, body = NULL, link_id = ''"
# One being sent cannot be called back: it is marked, and cancelled if the try fails (never tried again).
CANCEL = """
UPDATE outbox SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE 'cancelling' END,
                  recipient = CASE WHEN status = 'queued' THEN NULL ELSE recipient END,
                  body = CASE WHEN status = 'queued' THEN NULL ELSE body END,
                  link_id = CASE WHEN status = 'queued' THEN '' ELSE link_id END
WHERE sender_key = :sender_key AND status IN ('queued', 'sending') AND created_at <= :before
RETURNING message_sid, status
"""
CLAIMED_COLUMNS = ("id", "message_sid", "recipient", "body", "sender_id", "link_id", "attempts", "created_at")
CLAIM = f"""
UPDATE outbox SET status = 'sending', claim = :claim, claimed_at = :now, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_at <= :now ORDER BY next_at LIMIT :limit {{skip}})
RETURNING {", ".join(CLAIMED_COLUMNS)}
"""
# A result is kept only under its own claim; a row marked unknown meanwhile still takes the truth.
SENT = f"""
UPDATE outbox SET status = 'sent', provider_id = :provider_id, {FORGOTTEN}, reason = NULL
WHERE id = :id AND claim = :claim AND status IN ('sending', 'cancelling', 'unknown')
  AND NOT EXISTS (SELECT 1 FROM outbox AS other WHERE other.gateway = outbox.gateway
                  AND other.provider_id = :provider_id)
"""
FINAL = f"""
UPDATE outbox SET status = :status, reason = :reason, {FORGOTTEN}
WHERE id = :id AND claim = :claim AND status IN ('sending', 'cancelling', 'unknown')
"""
RETRY = """
UPDATE outbox SET status = CASE WHEN status = 'cancelling' THEN 'cancelled' ELSE 'queued' END,
                  recipient = CASE WHEN status = 'cancelling' THEN NULL ELSE recipient END,
                  body = CASE WHEN status = 'cancelling' THEN NULL ELSE body END,
                  link_id = CASE WHEN status = 'cancelling' THEN '' ELSE link_id END,
                  next_at = :next_at, reason = :reason
WHERE id = :id AND claim = :claim AND status IN ('sending', 'cancelling')
RETURNING status
"""
# A sender that has held a claim this long is gone (kill -9, a lost host): what it held is marked unknown.
EXPIRE = f"""
UPDATE outbox SET status = 'unknown', {FORGOTTEN}, reason = 'lost_mid_send'
WHERE status IN ('sending', 'cancelling') AND claimed_at < :before RETURNING message_sid
"""
# Never tried (no gateway configured, or it was down the whole time) and too old to be worth sending.
EXPIRE_QUEUED = f"""
UPDATE outbox SET status = 'dead', {FORGOTTEN}, reason = COALESCE(reason, 'never_sent')
WHERE status = 'queued' AND created_at < :before RETURNING message_sid
"""
NOTE_FAILURE = "UPDATE outbox SET reason = :reason WHERE message_sid = :message_sid"
BY_PROVIDER_ID = "SELECT message_sid FROM outbox WHERE provider_id = :provider_id AND gateway = :gateway"


@dataclass(frozen=True, slots=True)
class Queued:
    """A reply to write to the outbox with its message's record."""

    message_sid: str
    gateway: str
    program: str
    sender_key: str
    recipient: str  # sealed (service.sealed)
    body: str
    sender_id: str
    link_id: str
    at: float
    # Queued for a message recorded before (its reply replayed): its record may not track a reply yet.
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row a sender holds: its number still sealed."""

    id: int
    message_sid: str
    recipient: str
    body: str
    sender_id: str
    link_id: str
    attempts: int
    created_at: float


def queue(cursor: Any, dialect: Dialect, items: Sequence[Queued]) -> None:
    """Write replies to the outbox; a message id already there queues nothing new."""
    if items:
        cursor.executemany(in_dialect(dialect, QUEUE), [vars_of(item) for item in items])
    for item in items:
        if item.replayed:
            deliveries.track(cursor, dialect, message_sid=item.message_sid)


def cancel(cursor: Any, dialect: Dialect, *, sender_key: str, before: float) -> int:
    """Her replies queued by `before` cancelled (her STOP came before they went); how many."""
    params = {"sender_key": sender_key, "before": before}
    rows = cursor.execute(in_dialect(dialect, CANCEL), params).fetchall()
    for sid, status in rows:
        if status == "cancelled":
            deliveries.move(cursor, dialect, message_sid=sid, to=Delivery.CANCELLED)
    return len(rows)


def claim(cursor: Any, dialect: Dialect, *, token: str, now: float, limit: int) -> list[Claimed]:
    """Up to `limit` due rows, claimed under `token`."""
    rows = cursor.execute(in_dialect(dialect, CLAIM), {"claim": token, "now": now, "limit": limit}).fetchall()
    return [Claimed(*row) for row in rows]


def expire(cursor: Any, dialect: Dialect, *, claimed_before: float, queued_before: float) -> tuple[int, int]:
    """Rows whose sender is gone marked unknown, and rows never sent in time dead; how many of each."""
    lost = [row[0] for row in cursor.execute(in_dialect(dialect, EXPIRE), {"before": claimed_before}).fetchall()]
    for sid in lost:
        deliveries.move(cursor, dialect, message_sid=sid, to=Delivery.UNKNOWN)
    dead = [row[0] for row in cursor.execute(in_dialect(dialect, EXPIRE_QUEUED), {"before": queued_before}).fetchall()]
    for sid in dead:
        deliveries.move(cursor, dialect, message_sid=sid, to=Delivery.FAILED)
    return len(lost), len(dead)


def vars_of(item: Queued) -> dict[str, object]:
    """A Queued as QUEUE's parameters."""
    return {name: getattr(item, name) for name in Queued.__slots__ if name != "replayed"}


def sent(cursor: Any, dialect: Dialect, row: Claimed, *, token: str, provider_id: str, cost: float | None,
         currency: str | None) -> None:  # fmt: skip
    """The gateway took it: its id kept for the receipts, the number and text dropped."""
    params = {"id": row.id, "claim": token, "provider_id": provider_id}
    if cursor.execute(in_dialect(dialect, SENT), params).rowcount:
        deliveries.move(cursor, dialect, message_sid=row.message_sid, to=Delivery.SENT, cost=cost, currency=currency)
    else:  # a broken gateway gave another reply's id: its receipts could not tell them apart
        unsure(cursor, dialect, row, token=token, reason="duplicate_id")


def failed(cursor: Any, dialect: Dialect, row: Claimed, *, token: str, reason: str, dead: bool) -> None:
    """Refused for good (dead: given up on after retrying)."""
    params = {"id": row.id, "claim": token, "status": "dead" if dead else "failed", "reason": reason[:32]}
    if cursor.execute(in_dialect(dialect, FINAL), params).rowcount:
        deliveries.move(cursor, dialect, message_sid=row.message_sid, to=Delivery.FAILED)


def unsure(cursor: Any, dialect: Dialect, row: Claimed, *, token: str, reason: str) -> None:
    """The gateway may have taken it: marked unknown, never sent again."""
    params = {"id": row.id, "claim": token, "status": "unknown", "reason": reason[:32]}
    if cursor.execute(in_dialect(dialect, FINAL), params).rowcount:
        deliveries.move(cursor, dialect, message_sid=row.message_sid, to=Delivery.UNKNOWN)


def retry(cursor: Any, dialect: Dialect, row: Claimed, *, token: str, reason: str, next_at: float) -> None:
    """Back in the queue, not before next_at (cancelled instead, if her STOP came while it was tried)."""
    params = {"id": row.id, "claim": token, "reason": reason[:32], "next_at": next_at}
    found = cursor.execute(in_dialect(dialect, RETRY), params).fetchone()
    if found and found[0] == "cancelled":
        deliveries.move(cursor, dialect, message_sid=row.message_sid, to=Delivery.CANCELLED)


def note_failure(cursor: Any, dialect: Dialect, *, message_sid: str, reason: str) -> None:
    """Why the gateway could not deliver a reply it took, on its row (the admin shows it)."""
    cursor.execute(in_dialect(dialect, NOTE_FAILURE), {"message_sid": message_sid, "reason": reason[:32]})


def answered_by(cursor: Any, dialect: Dialect, *, gateway: str, provider_id: str) -> str | None:
    """The message id a gateway's reply id answers, if the outbox sent it."""
    row = cursor.execute(
        in_dialect(dialect, BY_PROVIDER_ID), {"gateway": gateway, "provider_id": provider_id}
    ).fetchone()
    return row[0] if row else None
