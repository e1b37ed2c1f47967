"""Contract: batch line outcomes only sealed. Refuses to run while one is still in clear.

Revision ID: asha_0005
Revises: asha_0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "asha_0005"
down_revision = "asha_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    left = op.get_bind().execute(sa.text("SELECT count(*) FROM asha_batch_lines WHERE outcome_enc IS NULL")).scalar()
    if left:
        raise RuntimeError(f"{left} ASHA batch outcomes are in clear: run `saathi asha migrate` "
                           "(it seals them with the records' data keys)")
    with op.batch_alter_table("asha_batch_lines") as batch:
        batch.drop_column("outcome")
        batch.alter_column("outcome_enc", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    # outcomes cannot be unsealed here: the lines are forgotten (a resent batch line would run again)
    op.execute("DELETE FROM asha_batch_lines")
    with op.batch_alter_table("asha_batch_lines") as batch:
        batch.alter_column("outcome_enc", existing_type=sa.LargeBinary(), nullable=True)
        batch.add_column(sa.Column("outcome", sa.String(40), nullable=False, server_default=""))
