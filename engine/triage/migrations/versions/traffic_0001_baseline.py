"""The de-identified triage traffic log (codes and bands only; see engine.triage.traffic).

Revision ID: traffic_0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "traffic_0001"
down_revision = None
branch_labels = ("traffic",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_traffic",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("symptoms", sa.JSON(), nullable=False),
        sa.Column("negated", sa.JSON(), nullable=False),
        sa.Column("age_band", sa.String(8), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=True),
        sa.Column("duration_band", sa.String(8), nullable=True),
        sa.Column("severity", sa.String(12), nullable=True),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("red_flags", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(4), nullable=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_triage_traffic_day", "triage_traffic", ["day"])


def downgrade() -> None:
    op.drop_table("triage_traffic")
