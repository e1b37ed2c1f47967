"""Alembic environment of the portal tables (records.portal_models); URL from the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from records.db import normalise_url
from records.portal_migrations import VERSION_TABLE
from records.portal_models import PortalBase

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=PortalBase.metadata,
                      render_as_batch=connection.dialect.name == "sqlite", version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


section = config.get_section(config.config_ini_section) or {}
section["sqlalchemy.url"] = normalise_url(config.get_main_option("sqlalchemy.url") or "")
engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as conn:
    _run(conn)
engine.dispose()
