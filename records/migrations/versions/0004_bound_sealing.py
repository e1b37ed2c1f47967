"""Sealed values become bound to their place: table, column, row id and owner (issue #14, finding 8).

No schema change: the version byte of each value tells a bound value (2) from one sealed with the
empty context before (1), so both read during the change. The work is the data step
``engine.schema.data_steps`` runs right after this revision (records.resealing.reseal), which
needs the key provider and so cannot live in a migration script: it re-seals every version-1
value person by person and re-wraps each person's data key as *bound*, after which their
version-1 values are refused. Idempotent and safe to interrupt.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing in the schema; see the module docstring."""


def downgrade() -> None:
    """Nothing to undo in the schema. (Code older than 0004 cannot open bound values.)"""
