"""Column types that make forgetting encryption impossible.

An :class:`Encrypted` column accepts only :class:`~records.crypto.Sealed` values: assigning a
``str``/``bytes``/``dict`` raises ``TypeError`` at flush time, before anything reaches the
database. Reading gives back a ``Sealed`` that is useless without the person's data key.

Each ``Encrypted`` column also names the attributes that identify its row (``row``: the primary
key, or what identifies the row before the database makes its key) and the one naming whose data
key seals it (``owner``): :func:`place_of` turns a model instance into the :class:`~records.crypto.Place` its
value is sealed for, and :func:`sealed_columns` lists them for the re-sealing migration step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import LargeBinary, MetaData, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from records.crypto import DataKey, Place, Sealed


class Encrypted(TypeDecorator[Sealed]):
    """BYTEA/BLOB holding a sealed value; rejects anything that was not sealed.

    ``row``: the attribute(s) whose values identify the row in the value's associated data, known
    before the insert (client-side UUIDs; a conversation and a time where the database makes the
    id); ``owner``: the attribute holding the records user id whose data key seals the value
    (None: found another way, the audit log's subject tag)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, *, row: str | tuple[str, ...] = "id", owner: str | None = "patient_id") -> None:
        super().__init__()
        self.row = (row,) if isinstance(row, str) else tuple(row)
        self.owner = owner

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise TypeError(f"an Encrypted column only stores Sealed values, not {type(value).__name__}")
        return value.blob

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))


def _encrypted(table: Any, column: str) -> Encrypted:
    kind = table.c[column].type
    if not isinstance(kind, Encrypted):
        raise TypeError(f"{table.name}.{column} is not an Encrypted column")
    return kind


def _label(value: Any) -> str:
    if isinstance(value, dt.datetime):  # PostgreSQL gives it back aware, SQLite naive (both UTC)
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    return str(value)


def row_label(row: Any) -> str:
    """How a row's identifying value (or tuple of values, joined by ':') is spelled in its place."""
    values = row if isinstance(row, tuple) else (row,)
    if any(v is None for v in values):
        raise ValueError("the row id must be set before its value is sealed")
    return ":".join(_label(v) for v in values)


def place(model: Any, column: str, row: Any) -> Place:
    """The place of ``model``'s (a mapped class or Table) ``column`` in the row identified by
    ``row`` (the value of the column's row attribute, a tuple when it names several)."""
    table = getattr(model, "__table__", model)
    _encrypted(table, column)
    return Place(table.name, column, row_label(row))


def place_of(obj: Any, column: str) -> Place:
    """The place of ``column`` in ``obj``, a model instance or a result row (its row attributes set)."""
    table = obj.__table__ if hasattr(obj, "__table__") else None
    if table is None:
        raise TypeError("place_of needs a model instance; use SealedColumn.place_of for result rows")
    kind = _encrypted(table, column)
    return place(table, column, tuple(getattr(obj, a) for a in kind.row))


def seal_into(key: DataKey, obj: Any, column: str, value: Any) -> None:
    """``obj.column = value`` sealed for its place (None clears the column)."""
    setattr(obj, column, None if value is None else key.seal(value, place_of(obj, column)))


def open_from(key: DataKey, obj: Any, column: str, default: Any = None) -> Any:
    """``obj.column`` opened for its place; ``default`` when the column is empty."""
    sealed = getattr(obj, column)
    return default if sealed is None else key.open(sealed, place_of(obj, column))


@dataclass(frozen=True)
class SealedColumn:
    """One ``Encrypted`` column: where its values live and whose key seals them."""

    table: str
    column: str
    row: tuple[str, ...]
    owner: str | None
    primary_key: tuple[str, ...]
    model: Table = field(compare=False, repr=False)  # the newest schema's table: column types

    def place_of(self, row: Any) -> Place:
        """The place of this column's value in ``row`` (anything with the row attributes)."""
        return Place(self.table, self.column, row_label(tuple(getattr(row, a) for a in self.row)))


def sealed_columns(metadatas: Iterable[MetaData]) -> list[SealedColumn]:
    """Every ``Encrypted`` column of the given models, in a stable order."""
    out = []
    for metadata in metadatas:
        for table in metadata.sorted_tables:
            for col in table.columns:
                if isinstance(col.type, Encrypted):
                    out.append(SealedColumn(table.name, col.name, col.type.row, col.type.owner,
                                            tuple(c.name for c in table.primary_key.columns), table))
    return out
