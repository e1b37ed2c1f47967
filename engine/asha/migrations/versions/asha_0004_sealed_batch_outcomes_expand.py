"""Expand: a processed batch line's outcome ("sos:KD472" says that patient was an emergency) gets
a sealed column, ``outcome_enc`` (nullable until the data step has sealed the clear ones with the
ASHA's data key, ``engine.asha.sealing.seal_clear_outcomes``).

Revision ID: asha_0004
Revises: asha_0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "asha_0004"
down_revision = "asha_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asha_batch_lines") as batch:
        batch.add_column(sa.Column("outcome_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("asha_batch_lines") as batch:
        batch.drop_column("outcome_enc")
