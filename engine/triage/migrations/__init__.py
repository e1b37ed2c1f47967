"""The triage traffic log's Alembic history (version table ``triage_traffic_alembic_version``).

Its own history, like the ASHA and notify ones (:mod:`engine.migrations`), so the records, portal
and engine histories never step on each other in the one database. No data steps: the log never
held anything to seal.
"""

from __future__ import annotations

from pathlib import Path

from engine import migrations

VERSION_TABLE = "triage_traffic_alembic_version"


def history() -> migrations.History:
    return migrations.History(Path(__file__).resolve().parent, VERSION_TABLE, baseline="traffic_0001",
                              legacy_table="triage_traffic")


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the traffic table to ``revision`` (idempotent; SQLite file or PostgreSQL)."""
    migrations.upgrade(history(), url, revision)


def downgrade(url: str, revision: str = "base") -> None:
    migrations.downgrade(history(), url, revision)


def current(url: str) -> str | None:
    return migrations.current(history(), url)
