"""De-identified surveillance events (week, place codes, bands, syndrome; see engine.surveillance.events).

Revision ID: surveillance_0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "surveillance_0001"
down_revision = None
branch_labels = ("surveillance",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveillance_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("district", sa.String(8), nullable=False),
        sa.Column("block", sa.String(24), nullable=False),
        sa.Column("village", sa.String(60), nullable=True),
        sa.Column("syndrome", sa.String(32), nullable=False),
        sa.Column("age_band", sa.String(8), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("urgency", sa.String(16), nullable=True),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_surveillance_events_week", "surveillance_events", ["week"])
    op.create_index("ix_surveillance_events_block", "surveillance_events", ["block"])


def downgrade() -> None:
    op.drop_table("surveillance_events")
