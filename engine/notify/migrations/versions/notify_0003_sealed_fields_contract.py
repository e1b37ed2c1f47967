"""Contract: no message fields in clear. Refuses to run while a row is still unsealed (the data
step did not run: ``saathi asha migrate`` with the records keys seals them).

Revision ID: notify_0003
Revises: notify_0002
"""
from __future__ import annotations

import sqlalchemy as sa

from engine.schema.sealed import contract_sealed_column, restore_clear_column

revision = "notify_0003"
down_revision = "notify_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    contract_sealed_column("notify_outbox", "fields", "fields_enc", "notifications hold their fields in clear")


def downgrade() -> None:
    # what is still to send is dropped
    restore_clear_column("notify_outbox", sa.Column("fields", sa.JSON(), nullable=False, server_default="{}"),
                         "fields_enc")
