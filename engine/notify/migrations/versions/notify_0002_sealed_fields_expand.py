"""Expand: the outbox gets ``fields_enc`` (nullable until the data step,
``engine.notify.sealing.seal_clear_rows``, has sealed every row's fields).

Revision ID: notify_0002
Revises: notify_0001
"""
from __future__ import annotations

from engine.schema.sealed import add_sealed_column, drop_sealed_column

revision = "notify_0002"
down_revision = "notify_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_sealed_column("notify_outbox", "fields_enc")


def downgrade() -> None:
    drop_sealed_column("notify_outbox", "fields_enc")
