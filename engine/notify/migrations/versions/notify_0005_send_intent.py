"""The outbox remembers a send whose outcome is not known yet: ``intent`` (a keyed digest of the
recipient and the text, written just before Twilio is asked) and ``intent_at`` (when). A sender
killed between Twilio taking the message and the row saying ``sent`` leaves them set, and the next
dispatch of the row asks Twilio's Messages list for that message before sending it again
(:meth:`engine.notify.service.NotifyService.reconcile`). Digests and times only.

Revision ID: notify_0005
Revises: notify_0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0005"
down_revision = "notify_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notify_outbox") as batch:
        batch.add_column(sa.Column("intent", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("intent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_column("intent_at")
        batch.drop_column("intent")
