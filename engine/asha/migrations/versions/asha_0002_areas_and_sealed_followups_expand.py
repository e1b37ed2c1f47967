"""Expand: an ASHA can be deactivated and serves villages (emergency routing by area);
follow-ups get the patient's id, a sealed ``details_enc`` and a keyed ``dedupe`` digest (all
nullable until the data step, ``engine.asha.sealing.seal_clear_follow_ups``, has filled them).

Revision ID: asha_0002
Revises: asha_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "asha_0002"
down_revision = "asha_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asha_workers") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "asha_villages",
        sa.Column("asha_id", sa.Uuid(), nullable=False),
        sa.Column("village", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("asha_id", "village"),
    )
    op.create_index("ix_asha_villages_village", "asha_villages", ["village"])
    with op.batch_alter_table("asha_followups") as batch:
        batch.add_column(sa.Column("patient_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("details_enc", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("dedupe", sa.String(64), nullable=True))
    # whose follow-up it is, from the code (the patient's key will seal the details)
    op.execute("UPDATE asha_followups SET patient_id = (SELECT p.patient_id FROM asha_patients p "
               "WHERE p.code = asha_followups.code)")


def downgrade() -> None:
    with op.batch_alter_table("asha_followups") as batch:
        batch.drop_column("dedupe")
        batch.drop_column("details_enc")
        batch.drop_column("patient_id")
    op.drop_index("ix_asha_villages_village", table_name="asha_villages")
    op.drop_table("asha_villages")
    with op.batch_alter_table("asha_workers") as batch:
        batch.drop_column("active")
