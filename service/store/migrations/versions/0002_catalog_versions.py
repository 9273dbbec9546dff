"""Uploaded catalog versions: served instead of the PO files, replicas poll for the newest.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("po", sa.Text, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("translated", sa.Integer, nullable=False),
        sa.Column("fuzzy", sa.Integer, nullable=False),
        sa.Column("missing", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_catalog_versions_locale", "catalog_versions", ["locale"])


def downgrade() -> None:
    op.drop_table("catalog_versions")
