"""The tables as the admin's, purge's and usage's queries see them (query side only).

The migrations in service/store/migrations/versions are the source of the schema:
they create and change the tables, and new databases run what they generate. This
module only describes the result to SQLAlchemy's query builder; a test
(tests/store/test_schema.py) fails when it and a migrated database differ.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

subscribers = Table(
    "subscribers",
    metadata,
    Column("key", String(64), primary_key=True),  # HMAC-SHA256 of the E.164 number
    Column("locale", String(16)),
    Column("opted_out", Boolean, nullable=False, server_default=false()),
    Column("opted_changed_at", Float),  # epoch seconds of the opt-out/in that set opted_out
    Column("window_start", Float, nullable=False, server_default="0"),
    Column("window_count", Integer, nullable=False, server_default="0"),
    Column("hour_start", Float, nullable=False, server_default="0"),
    Column("hour_count", Integer, nullable=False, server_default="0"),
    Column("updated_at", Float, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_sid", String(64), nullable=False, unique=True),
    Column("sender_key", String(64), nullable=False),
    Column("program", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("intent", String(16), nullable=False),
    Column("topic", String(32)),
    Column("locale", String(16), nullable=False),
    Column("segments", Integer, nullable=False),
    Column("encoding", String(8), nullable=False),
    Column("replied", Boolean, nullable=False),
    Column("rate_limited", Boolean, nullable=False, server_default=false()),
    Column("simulated", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("gateway", String(16), nullable=False, server_default="twilio"),  # whose callback brought it
    # What became of the reply (service.core.types.Delivery); None when nothing tracks it (USSD, voice, none sent).
    Column("delivery", String(10)),
    Column("cost", Float),  # what the gateway said the reply cost, in currency
    Column("currency", String(3)),
)

# Replies a gateway sends later (Africa's Talking SMS). Number and text are kept only until the reply's
# fate is final; the number only encrypted (service.outbox_crypto).
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_sid", String(64), nullable=False, unique=True),  # the message it answers: one reply each
    Column("gateway", String(16), nullable=False),
    Column("program", String(64), nullable=False),
    Column("sender_key", String(64), nullable=False, index=True),  # so her STOP finds her queued replies
    Column("recipient", Text),
    Column("body", Text),
    Column("sender_id", String(16), nullable=False),  # the short code or number the message came in on
    Column("link_id", String(64), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_at", Float, nullable=False),  # epoch seconds: not tried again before
    Column("created_at", Float, nullable=False, index=True),
    Column("claim", String(32)),  # the sending worker's claim on it, while it sends
    Column("claimed_at", Float),
    Column("provider_id", String(64), index=True),  # the gateway's id, which its receipts carry
    Column("reason", String(32)),  # why the last try failed: a gateway's code word, never its text
    Index("ix_outbox_status_next_at", "status", "next_at"),
)

# One row per day × program × channel × gateway × locale × what was asked × shard, kept up to date as records and
# receipts are written. Shard: PostgreSQL's backend pid, so two transactions in flight never wait on one
# row's lock (each connection adds to its own row; usage sums them); 0 on SQLite, which has one writer.
usage_daily = Table(
    "usage_daily",
    metadata,
    Column("day", String(10), nullable=False),  # YYYY-MM-DD, UTC, of the message
    Column("program", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("gateway", String(16), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("intent", String(16), nullable=False),
    Column("topic", String(32), nullable=False),  # '' for none: a key column may not be NULL
    Column("shard", Integer, nullable=False),
    *(
        Column(name, Integer, nullable=False, server_default="0")
        for name in ("messages", "replies", "segments", "rate_limited", "pending", "delivered", "failed", "cancelled")
    ),
    Column("cost", Float, nullable=False, server_default="0"),
    Column("currency", String(3)),
    PrimaryKeyConstraint("day", "program", "channel", "gateway", "locale", "intent", "topic", "shard"),
)

catalog_versions = Table(
    "catalog_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("locale", String(16), nullable=False, index=True),
    Column("po", Text, nullable=False),
    Column("label", String(64), nullable=False),  # the admin token's label: who
    Column("note", String(200), nullable=False),  # "upload", "rollback to version 3"
    Column("translated", Integer, nullable=False),
    Column("fuzzy", Integer, nullable=False),
    Column("missing", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("restores", Integer),  # a rollback: the version it restored (0: the PO file)
)


# Clinical review: every approval and revocation of one translated entry, in order; the newest per
# (locale, entry) is its state. Replicas poll count and newest id, as for catalog versions.
review_events = Table(
    "review_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("locale", String(16), nullable=False),
    Column("entry", String(64), nullable=False),  # service.entries: "help", "her2.summary"
    Column("action", String(8), nullable=False),  # "approve", "revoke", or "replace" (an upload changed it)
    Column("source", Text, nullable=False),  # the English it was approved against
    Column("translation", Text, nullable=False),  # the translation approved (or revoked)
    Column("label", String(64), nullable=False),  # who: an admin token's label, or the CLI's --by
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_review_events_locale_entry", "locale", "entry"),
)


# Admin sessions live in the database so a logout (or an expiry) holds on every replica.
admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the session id: the cookie is never stored
    Column("label", String(64), nullable=False),  # whose token opened it
    Column("token_fingerprint", String(64), nullable=False),  # keyed MAC of that token: changing it ends the session
    Column("csrf", String(64), nullable=False),  # the session's own random CSRF token
    Column("created_at", Float, nullable=False),  # epoch seconds; absolute expiry counts from here
    Column("last_seen_at", Float, nullable=False),  # epoch seconds; idle expiry counts from here
)

# Failed admin logins, shared by every replica so the throttle holds behind a load balancer.
admin_login_failures = Table(
    "admin_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_key", String(64), nullable=False, index=True),  # keyed hash of the client address, never the address
    Column("label", String(64), index=True),  # a configured label that was tried (None: none was)
    Column("at", Float, nullable=False, index=True),  # epoch seconds
)
