"""Expand: the outbox gets ``fields_enc`` (nullable until the data step,
``engine.notify.sealing.seal_clear_rows``, has sealed every row's fields).

Revision ID: notify_0002
Revises: notify_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0002"
down_revision = "notify_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notify_outbox") as batch:
        batch.add_column(sa.Column("fields_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_column("fields_enc")
