"""ASHA tables as ``create_all`` made them before this history: workers, patients' short codes,
follow-ups (kind and label still in clear), processed batch lines. A database that already has
them is stamped here instead of running this (see engine.schema.adopt).

Revision ID: asha_0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "asha_0001"
down_revision = None
branch_labels = ("asha",)
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "asha_workers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("area", sa.String(80), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("verified_at", ts, nullable=True),
        sa.Column("otp_hash", sa.String(64), nullable=True),
        sa.Column("otp_expires_at", ts, nullable=True),
        sa.Column("otp_attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("phone_hash"),
    )
    op.create_index("ix_asha_workers_area", "asha_workers", ["area"])
    op.create_table(
        "asha_patients",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("asha_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("patient_id"),
    )
    op.create_index("ix_asha_patients_asha_id", "asha_patients", ["asha_id"])
    op.create_table(
        "asha_followups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("asha_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("done_at", ts, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "kind", "label", "due_on"),
    )
    op.create_index("ix_asha_followups_asha_id", "asha_followups", ["asha_id"])
    op.create_index("ix_asha_followups_code", "asha_followups", ["code"])
    op.create_table(
        "asha_batch_lines",
        sa.Column("asha_id", sa.Uuid(), nullable=False),
        sa.Column("line_key", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("asha_id", "line_key"),
    )


def downgrade() -> None:
    for table in ("asha_batch_lines", "asha_followups", "asha_patients", "asha_workers"):
        op.drop_table(table)
