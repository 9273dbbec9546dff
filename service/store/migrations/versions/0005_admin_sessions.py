"""Admin sessions and failed logins in the database: random session ids (stored hashed), expiry,
logout on every replica, and a login throttle every replica shares.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("token_fingerprint", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
    )
    op.create_table(
        "admin_login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64)),
        sa.Column("at", sa.Float, nullable=False),
    )
    for column in ("client_key", "label", "at"):
        op.create_index(f"ix_admin_login_failures_{column}", "admin_login_failures", [column])


def downgrade() -> None:
    op.drop_table("admin_login_failures")
    op.drop_table("admin_sessions")
