"""The outbox learns routes and delivery: what the producer knows of the person's channel
(``channel``: whatsapp, sms, voice; ``seen_at``: when they last wrote, for WhatsApp's 24-hour
window), what the row belongs to (``ref``: a case id, so the doctor's case page lists its
messages), why a send failed (``error``: a reason word or Twilio's error code), Twilio's last
status callback (``twilio_status``, ``delivered_at``, ``read_at``) and a route switch
(``fallback``: "sms" when WhatsApp failed and SMS took over). Ids, words and times only.

Revision ID: notify_0004
Revises: notify_0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0004"
down_revision = "notify_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notify_outbox") as batch:
        batch.add_column(sa.Column("ref", sa.String(64), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(12), nullable=False, server_default=""))
        batch.add_column(sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("error", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("twilio_status", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("fallback", sa.String(12), nullable=False, server_default=""))
        batch.create_index("ix_notify_outbox_ref", ["ref"])
        batch.create_index("ix_notify_outbox_sid", ["sid"])


def downgrade() -> None:
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_index("ix_notify_outbox_sid")
        batch.drop_index("ix_notify_outbox_ref")
        for column in ("fallback", "read_at", "delivered_at", "twilio_status", "error", "seen_at", "channel", "ref"):
            batch.drop_column(column)
