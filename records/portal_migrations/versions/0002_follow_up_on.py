"""handoff_cases.follow_up_on: the follow-up date in clear, so reminders can be re-armed after a
restart (the rest of the notes stay sealed; a date alone says little, like the ASHA due dates).

Revision ID: portal_0002
Revises: portal_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "portal_0002"
down_revision = "portal_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_cases") as batch:
        batch.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch.create_index("ix_handoff_cases_follow_up_on", ["follow_up_on"])


def downgrade() -> None:
    with op.batch_alter_table("handoff_cases") as batch:
        batch.drop_index("ix_handoff_cases_follow_up_on")
        batch.drop_column("follow_up_on")
