"""The expand/contract steps of moving a column from clear to sealed, for the parts' migrations.

A clear column becomes sealed in three steps: an *expand* migration adds the sealed column
(nullable), the part's data step seals each row with the records keys (:mod:`engine.schema.steps`:
Alembic scripts never reach for keys), and a *contract* migration drops the clear column once
nothing is left in clear. The ASHA batch outcomes (``asha_0004``/``asha_0005``) and the notify
outbox's fields (``notify_0002``/``notify_0003``) took the same steps, and the ASHA follow-ups'
contract (``asha_0003``) the same refusal: they are written here once. Only Alembic's ``op`` and
SQLAlchemy are used (migrations never import services).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def add_sealed_column(table: str, sealed: str) -> None:
    """Expand: the sealed column, empty (nullable) until the data step has sealed every row."""
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(sealed, sa.LargeBinary(), nullable=True))


def drop_sealed_column(table: str, sealed: str) -> None:
    """The expand's downgrade."""
    with op.batch_alter_table(table) as batch:
        batch.drop_column(sealed)


def refuse_while_clear(table: str, clear: str, what: str) -> None:
    """A contract does not run while ``clear`` (an SQL condition) finds rows of ``table``: the data
    step did not run. Says how many of ``what`` ("ASHA batch outcomes are in clear") and the command
    that has the keys."""
    left = op.get_bind().execute(sa.text(f"SELECT count(*) FROM {table} WHERE {clear}")).scalar()
    if left:
        raise RuntimeError(f"{left} {what}: run `saathi asha migrate` (it seals them with the records' data keys)")


def contract_sealed_column(table: str, clear: str, sealed: str, what: str) -> None:
    """Contract: ``clear`` goes and ``sealed`` is required, refused while a row is not sealed yet."""
    refuse_while_clear(table, f"{sealed} IS NULL", what)
    with op.batch_alter_table(table) as batch:
        batch.drop_column(clear)
        batch.alter_column(sealed, existing_type=sa.LargeBinary(), nullable=False)


def restore_clear_column(table: str, clear: sa.Column[object], sealed: str) -> None:
    """The contract's downgrade: sealed values cannot be opened here (no keys in migrations), so the
    rows are forgotten, and the clear column comes back (empty table, so with its old default)."""
    op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table(table) as batch:
        batch.alter_column(sealed, existing_type=sa.LargeBinary(), nullable=True)
        batch.add_column(clear)
