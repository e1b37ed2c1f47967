"""Notify tables as ``create_all`` made them before this history: the outbox (fields in clear)
and the people's chosen dose times. A database that already has them is stamped here instead.

Revision ID: notify_0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0001"
down_revision = None
branch_labels = ("notify",)
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("due_at", ts, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(12), nullable=False),
        sa.Column("sid", sa.String(64), nullable=False),
        sa.Column("sent_at", ts, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    for col in ("kind", "user_id", "due_at", "status"):
        op.create_index(f"ix_notify_outbox_{col}", "notify_outbox", [col])
    op.create_table(
        "notify_dose_times",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("times", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("notify_dose_times")
    op.drop_table("notify_outbox")
