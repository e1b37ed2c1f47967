"""Outbreak alerts (one row per cluster, with what triggered it) and the officers who receive them.

Revision ID: surveillance_0002
Revises: surveillance_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "surveillance_0002"
down_revision = "surveillance_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveillance_officers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("district", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "district"),
    )
    op.create_table(
        "surveillance_alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district", sa.String(8), nullable=False),
        sa.Column("area", sa.String(24), nullable=False),
        sa.Column("syndrome", sa.String(32), nullable=False),
        sa.Column("first_week", sa.Date(), nullable=False),
        sa.Column("last_week", sa.Date(), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_surveillance_alerts_district", "surveillance_alerts", ["district"])


def downgrade() -> None:
    op.drop_table("surveillance_alerts")
    op.drop_table("surveillance_officers")
