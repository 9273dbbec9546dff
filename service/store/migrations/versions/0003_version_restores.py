"""A rollback remembers which version it restored (0: the PO file), so rolling back twice goes further back.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_versions") as batch:
        batch.add_column(sa.Column("restores", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_versions") as batch:
        batch.drop_column("restores")
