"""The audit chain becomes keyed (HMAC-SHA256 under a key from the key provider; issue #14).

No schema change: the work is the data step ``engine.schema.data_steps`` runs right after this
revision (records.audit.key_legacy_chains), which needs the key provider and so cannot live in a
migration script. It checks each chain written under the old unkeyed SHA-256 rule and closes it
with one keyed entry; old entries keep their hashes, so fingerprints anchored before stay valid.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing in the schema; see the module docstring."""


def downgrade() -> None:
    """Nothing to undo in the schema. (Code older than 0003 would call the keyed entries broken.)"""
