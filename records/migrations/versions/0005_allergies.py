"""Allergies: a sealed row per allergy the patient told the bot or a doctor recorded (issue #20).

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allergies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details_enc", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_allergies_patient_id"), "allergies", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_allergies_patient_id"), table_name="allergies")
    op.drop_table("allergies")
