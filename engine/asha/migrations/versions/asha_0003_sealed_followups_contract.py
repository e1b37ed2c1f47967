"""Contract: follow-ups keep no kind or label in clear (sealed in ``details_enc``), are unique by
their keyed digest. Refuses to run while a row is still unsealed (the data step did not run:
``saathi asha migrate`` with the records keys seals them).

Revision ID: asha_0003
Revises: asha_0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.schema.sealed import refuse_while_clear

revision = "asha_0003"
down_revision = "asha_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    refuse_while_clear("asha_followups", "details_enc IS NULL OR dedupe IS NULL OR patient_id IS NULL",
                       "ASHA follow-ups are not sealed yet")
    with op.batch_alter_table("asha_followups") as batch:  # the clear columns' unique constraint goes with them
        batch.drop_column("kind")
        batch.drop_column("label")
        batch.alter_column("patient_id", existing_type=sa.Uuid(), nullable=False)
        batch.alter_column("details_enc", existing_type=sa.LargeBinary(), nullable=False)
        batch.alter_column("dedupe", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_asha_followups_dedupe", ["dedupe"])
        batch.create_index("ix_asha_followups_patient_id", ["patient_id"])


def downgrade() -> None:
    # labels cannot be unsealed here (no keys in migrations): follow-ups made since are dropped
    op.execute("DELETE FROM asha_followups")
    with op.batch_alter_table("asha_followups") as batch:
        batch.drop_index("ix_asha_followups_patient_id")
        batch.drop_constraint("uq_asha_followups_dedupe", type_="unique")
        batch.alter_column("dedupe", existing_type=sa.String(64), nullable=True)
        batch.alter_column("details_enc", existing_type=sa.LargeBinary(), nullable=True)
        batch.alter_column("patient_id", existing_type=sa.Uuid(), nullable=True)
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("label", sa.String(80), nullable=False, server_default=""))
        batch.create_unique_constraint("asha_followups_code_kind_label_due_on_key",
                                       ["code", "kind", "label", "due_on"])
