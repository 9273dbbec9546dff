"""The outbound half: the outbox (replies a gateway sends later), each reply's delivery and cost on its
record, and daily usage rollups kept as records and receipts are written (so usage never scans records,
and purge keeps the figures).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COUNTS = ("messages", "replies", "segments", "rate_limited", "pending", "delivered", "failed", "cancelled")
ROLLUP_KEY = ("day", "program", "channel", "gateway", "locale", "intent", "topic", "shard")
# Records before this revision: their replies went back in TwiML or a USSD screen, fates unknown.
BACKFILL = """
INSERT INTO usage_daily (day, program, channel, gateway, locale, intent, topic, shard, messages, replies, segments,
                         rate_limited, pending, delivered, failed, cancelled, cost)
SELECT {day}, program, channel, gateway, locale, intent, COALESCE(topic, ''), 0, count(*),
       sum(CASE WHEN replied THEN 1 ELSE 0 END), sum(segments), sum(CASE WHEN rate_limited THEN 1 ELSE 0 END),
       0, 0, 0, 0, 0
FROM records WHERE NOT simulated
GROUP BY {day}, program, channel, gateway, locale, intent, COALESCE(topic, '')
"""
DAY = {"sqlite": "substr(created_at, 1, 10)", "postgresql": "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"}


def upgrade() -> None:
    with op.batch_alter_table("records") as records:
        # Before this revision only USSD came through Africa's Talking.
        records.add_column(sa.Column("gateway", sa.String(16), nullable=False, server_default="twilio"))
        records.add_column(sa.Column("delivery", sa.String(10)))
        records.add_column(sa.Column("cost", sa.Float))
        records.add_column(sa.Column("currency", sa.String(3)))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("sender_key", sa.String(64), nullable=False),
        sa.Column("recipient", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("sender_id", sa.String(16), nullable=False),
        sa.Column("link_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_at", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("claim", sa.String(32)),
        sa.Column("claimed_at", sa.Float),
        sa.Column("provider_id", sa.String(64)),
        sa.Column("reason", sa.String(32)),
    )
    # One at a time, in order: columns' index=True are rendered in an order that varies from run to run.
    for column in ("sender_key", "created_at", "provider_id"):
        op.create_index(f"ix_outbox_{column}", "outbox", [column])
    op.create_index("ix_outbox_status_next_at", "outbox", ["status", "next_at"])
    op.create_table(
        "usage_daily",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("shard", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in COUNTS),
        sa.Column("cost", sa.Float, nullable=False, server_default="0"),
        sa.Column("currency", sa.String(3)),
        sa.PrimaryKeyConstraint(*ROLLUP_KEY),
    )
    op.execute("UPDATE records SET gateway = 'africastalking' WHERE channel = 'ussd'")
    dialect = op.get_context().dialect.name
    op.execute(BACKFILL.format(day=DAY[dialect]))


def downgrade() -> None:
    op.drop_table("usage_daily")
    op.drop_table("outbox")
    with op.batch_alter_table("records") as records:
        for column in ("currency", "cost", "delivery", "gateway"):
            records.drop_column(column)
