"""Subscribers (keyed by HMAC of the number) and one record per inbound message.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("locale", sa.String(16)),
        sa.Column("opted_out", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("opted_changed_at", sa.Float),
        sa.Column("window_start", sa.Float, nullable=False, server_default="0"),
        sa.Column("window_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hour_start", sa.Float, nullable=False, server_default="0"),
        sa.Column("hour_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("sender_key", sa.String(64), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(32)),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("segments", sa.Integer, nullable=False),
        sa.Column("encoding", sa.String(8), nullable=False),
        sa.Column("replied", sa.Boolean, nullable=False),
        sa.Column("rate_limited", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("simulated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Indexes by name, in order (not index=True): the generated schema files must be the same every run.
    op.create_index("ix_records_sender_key", "records", ["sender_key"])
    op.create_index("ix_records_created_at", "records", ["created_at"])


def downgrade() -> None:
    op.drop_table("records")
    op.drop_table("subscribers")
