"""Drop the index on records.sender_key: no query reads by sender (reply caps live on the subscriber),
and every message paid for keeping it.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_records_sender_key", table_name="records")


def downgrade() -> None:
    op.create_index("ix_records_sender_key", "records", ["sender_key"])
