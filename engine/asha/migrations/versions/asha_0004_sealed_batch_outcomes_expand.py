"""Expand: a processed batch line's outcome ("sos:KD472" says that patient was an emergency) gets
a sealed column, ``outcome_enc`` (nullable until the data step has sealed the clear ones with the
ASHA's data key, ``engine.asha.sealing.seal_clear_outcomes``).

Revision ID: asha_0004
Revises: asha_0003
"""
from __future__ import annotations

from engine.schema.sealed import add_sealed_column, drop_sealed_column

revision = "asha_0004"
down_revision = "asha_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_sealed_column("asha_batch_lines", "outcome_enc")


def downgrade() -> None:
    drop_sealed_column("asha_batch_lines", "outcome_enc")
