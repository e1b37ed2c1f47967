"""Column types that make forgetting encryption impossible.

An :class:`Encrypted` column accepts only :class:`~records.crypto.Sealed` values: assigning a
``str``/``bytes``/``dict`` raises ``TypeError`` at flush time, before anything reaches the
database. Reading gives back a ``Sealed`` that is useless without the person's data key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from records.crypto import Sealed


class Encrypted(TypeDecorator[Sealed]):
    """BYTEA/BLOB holding a sealed value; rejects anything that was not sealed."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise TypeError(f"an Encrypted column only stores Sealed values, not {type(value).__name__}")
        return value.blob

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))
