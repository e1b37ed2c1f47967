"""Contract: no message fields in clear. Refuses to run while a row is still unsealed (the data
step did not run: ``saathi asha migrate`` with the records keys seals them).

Revision ID: notify_0003
Revises: notify_0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0003"
down_revision = "notify_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    left = op.get_bind().execute(sa.text("SELECT count(*) FROM notify_outbox WHERE fields_enc IS NULL")).scalar()
    if left:
        raise RuntimeError(f"{left} notifications hold their fields in clear: run `saathi asha migrate` "
                           "(it seals them with the records' data keys)")
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_column("fields")
        batch.alter_column("fields_enc", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    # fields cannot be unsealed here (no keys in migrations): what is still to send is dropped
    op.execute("DELETE FROM notify_outbox")
    with op.batch_alter_table("notify_outbox") as batch:
        batch.alter_column("fields_enc", existing_type=sa.LargeBinary(), nullable=True)
        batch.add_column(sa.Column("fields", sa.JSON(), nullable=False, server_default="{}"))
