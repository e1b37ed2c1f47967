"""Contract: batch line outcomes only sealed. Refuses to run while one is still in clear.

Revision ID: asha_0005
Revises: asha_0004
"""
from __future__ import annotations

import sqlalchemy as sa

from engine.schema.sealed import contract_sealed_column, restore_clear_column

revision = "asha_0005"
down_revision = "asha_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    contract_sealed_column("asha_batch_lines", "outcome", "outcome_enc", "ASHA batch outcomes are in clear")


def downgrade() -> None:
    # the lines are forgotten (a resent batch line would run again)
    restore_clear_column("asha_batch_lines", sa.Column("outcome", sa.String(40), nullable=False, server_default=""),
                         "outcome_enc")
