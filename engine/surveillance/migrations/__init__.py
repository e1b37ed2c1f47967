"""The surveillance tables: the ``surveillance`` branch of the one Alembic history (:mod:`engine.schema`).

Kept as the part's own entry points (``upgrade``/``downgrade``/``current``); no data steps: the
events never held anything to seal.
"""

from __future__ import annotations

from engine import schema

VERSION_TABLE = schema.VERSION_TABLE


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the surveillance tables to ``revision`` (idempotent; SQLite file or PostgreSQL)."""
    schema.upgrade(url, target="surveillance@head" if revision == "head" else revision)


def downgrade(url: str, revision: str = "base") -> None:
    schema.downgrade(url, "surveillance@base" if revision == "base" else revision)


def current(url: str) -> str | None:
    return schema.current(url, "surveillance")
