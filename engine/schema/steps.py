"""What the data steps share: read the rows an older schema left in clear, work out each one's
sealed values with the records keys (or that it goes: its person was deleted), write them back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from records.db import make_engine

#: One row's change: the WHERE clause that finds it, and its new values (None: delete the row).
Change = tuple[sa.ColumnElement[bool], dict[str, Any] | None]


def rewrite_clear_rows(url: str, table: sa.TableClause, clear: sa.ColumnElement[bool], records: Any | None,
                       what: str, change: Callable[[Any], Change]) -> int:
    """Rewrite every row of ``table`` matching ``clear`` with ``change(row)``; returns how many were
    sealed (not deleted). Without ``records`` (no keys) it refuses when there is anything to seal,
    naming ``what`` ("ASHA follow-ups") and the command that has the keys."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:  # read, seal, then write: SQLite allows one writer at a time
            rows = conn.execute(sa.select(table).where(clear)).all()
        if rows and records is None:
            raise RuntimeError(f"{len(rows)} {what} are stored in clear; sealing them needs the records keys: "
                               "run `saathi asha migrate`")
        changes = [change(row) for row in rows]
        with engine.begin() as conn:
            for where, values in changes:
                conn.execute(sa.delete(table).where(where) if values is None else
                             sa.update(table).where(where).values(**values))
        return sum(values is not None for _, values in changes)
    finally:
        engine.dispose()
