"""Access PINs: an argon2 hash per sender, asked for record access and worker commands over SMS and
voice (issue #14 finding 5).

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_pins",
        sa.Column("subject_hmac", sa.LargeBinary(length=32), nullable=False),
        sa.Column("pin_hash", sa.String(length=128), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_hmac"),
    )


def downgrade() -> None:
    op.drop_table("access_pins")
