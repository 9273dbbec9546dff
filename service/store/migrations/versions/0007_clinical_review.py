"""Clinical review: approvals, revocations and replacements of each translated entry, in order.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("entry", sa.String(64), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("translation", sa.Text, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_events_locale_entry", "review_events", ["locale", "entry"])


def downgrade() -> None:
    op.drop_index("ix_review_events_locale_entry", "review_events")
    op.drop_table("review_events")
