"""The portal's own Alembic history (version table ``portal_alembic_version``), run after the
records history: ``records.portal_migrations.upgrade(url)`` (``saathi portal migrate``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "portal_alembic_version"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head", *, with_records: bool = True) -> None:
    """Bring the database to the portal's ``revision`` (records' tables first: we point at them)."""
    if with_records:
        from records import migrate

        migrate.upgrade(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
