"""Re-seal values written before issue #14 for their place (the data step of records revision 0004).

Version-1 values were sealed with an empty associated context, so a database writer could move a
ciphertext to another row or column of the same person and it still opened. This step opens every
version-1 value of every ``Encrypted`` column that names its owner, with the owner's data key, and
seals it again bound to its table, column, row id and owner (version 2, :class:`records.crypto.Place`).

One person at a time, in batches of data keys, each batch one transaction: their values are
re-sealed and their data key is re-wrapped under the *bound* context in the same commit
(:data:`records.crypto.BOUND_WRAP`). From that commit on their version-1 values are refused,
while everyone not reached yet keeps reading theirs, so the step can run while the service runs and
can be interrupted at any point; a re-run skips people already bound. A value is written back only
if it is still the one read (compare-and-set): a concurrent write, which is bound already, wins.

Not re-sealed: the audit log's details (the chain's HMAC covers their bytes and the table refuses
UPDATE; the chain authenticates them instead), and values of people deleted since (no key: they
cannot be opened by anyone).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from records.crypto import BOUND_WRAP, FORMAT_VERSION, CryptoError, Place
from records.db import make_engine
from records.models import Base, DataKeyRow
from records.types import SealedColumn

_UNBOUND = bytes([FORMAT_VERSION])


@dataclass
class ResealReport:
    people: int = 0                                   # data keys re-wrapped as bound
    values: int = 0                                   # values re-sealed
    by_column: dict[str, int] = field(default_factory=dict)
    skipped_columns: list[str] = field(default_factory=list)  # not in this database's schema (yet)


def _tables(engine: sa.Engine, columns: Iterable[SealedColumn],
            report: ResealReport) -> list[tuple[SealedColumn, sa.TableClause]]:
    """The columns this database has (with their row, owner and key columns), as Core tables."""
    inspector = sa.inspect(engine)
    present = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
    out = []
    for col in columns:
        if col.owner is None:
            continue
        needed = {col.column, *col.row, col.owner, *col.primary_key}
        if not needed <= present.get(col.table, set()):
            report.skipped_columns.append(f"{col.table}.{col.column}")
            continue
        # typed as the models type them (a UUID reads back as the ORM spells it, in the place too);
        # the sealed value as plain bytes
        out.append((col, sa.table(col.table, *(sa.column(n, sa.LargeBinary() if n == col.column
                                                         else col.model.c[n].type) for n in sorted(needed)))))
    return out


def _unbound(table: sa.TableClause, column: str) -> sa.ColumnElement[bool]:
    return sa.func.substr(table.c[column], 1, 1) == sa.literal(_UNBOUND, sa.LargeBinary)


def count_unbound(url: str, columns: Iterable[SealedColumn]) -> int:
    """How many version-1 values the owned sealed columns still hold (no keys needed)."""
    engine = make_engine(url)
    try:
        report = ResealReport()
        with engine.connect() as conn:
            return sum(conn.scalar(sa.select(sa.func.count()).select_from(t).where(_unbound(t, c.column))) or 0
                       for c, t in _tables(engine, columns, report))
    finally:
        engine.dispose()


def reseal(url: str, records: Any | None, columns: Iterable[SealedColumn], *, batch: int = 200) -> ResealReport:
    """Re-seal every version-1 value of ``columns`` for its place; see the module docstring.

    ``records`` (a :class:`records.RecordsService`) lends the key provider; without it the step
    refuses (RuntimeError) when there is anything to re-seal, like the other data steps."""
    columns = list(columns)
    report = ResealReport()
    if records is None:
        left = count_unbound(url, columns)
        if left:
            raise RuntimeError(f"{left} sealed values are not bound to their place; re-sealing them needs "
                               "the records keys: run `saathi db upgrade`")
        return report
    engine = make_engine(url)
    try:
        tables = _tables(engine, columns, report)
        keys = Base.metadata.tables[DataKeyRow.__tablename__]
        after: uuid.UUID | None = None
        while True:
            with engine.begin() as conn:
                stmt = sa.select(keys).order_by(keys.c.id).limit(batch)
                if after is not None:
                    stmt = stmt.where(keys.c.id > after)
                if conn.dialect.name == "postgresql":  # rotation re-wraps under the same row locks
                    stmt = stmt.with_for_update(of=keys)
                rows = conn.execute(stmt).all()
                if not rows:
                    break
                for row in rows:
                    _reseal_person(conn, records.vault, row, tables, keys, report)
                after = rows[-1].id
            for row in rows:  # after the commit: a cached legacy key would still accept v1 values
                records.vault.forget(row.user_id)
        return report
    finally:
        engine.dispose()


def _reseal_person(conn: sa.Connection, vault: Any, row: Any, tables: list[tuple[SealedColumn, sa.TableClause]],
                   keys: sa.Table, report: ResealReport) -> None:
    key = vault.unwrap(row)
    if not key.unbound_ok:
        return  # bound already (made since issue #14, or re-sealed by an earlier run)
    for col, table in tables:
        found = conn.execute(sa.select(table).where(table.c[col.owner] == row.user_id,
                                                    _unbound(table, col.column))).all()  # read, then write
        for hit in found:
            item = hit._mapping
            blob = bytes(item[col.column])
            where = sa.and_(*(table.c[k] == item[k] for k in col.primary_key), table.c[col.column] == blob)
            try:
                value = key.open(blob, Place(col.table, col.column, ""))  # version 1: the place is not used
            except CryptoError as exc:  # names the place, never the value
                raise CryptoError(f"{col.table}.{col.column} row {col.place_of(hit).row}: a value that its "
                                  "owner's key does not open; not re-sealing this person") from exc
            sealed = key.seal(value, col.place_of(hit))
            if conn.execute(sa.update(table).where(where).values({col.column: sealed.blob})).rowcount:
                report.values += 1
                name = f"{col.table}.{col.column}"
                report.by_column[name] = report.by_column.get(name, 0) + 1
    master_key_id, wrapped = vault.provider.wrap(key.key, row.id, BOUND_WRAP)
    conn.execute(sa.update(keys).where(keys.c.id == row.id, keys.c.wrapped == row.wrapped)
                 .values(master_key_id=master_key_id, wrapped=wrapped))
    report.people += 1
