"""The one Alembic environment (see engine/schema/__init__.py): online only, the URL from the
caller, the target metadata (for autogenerate) every part's models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from engine.schema import VERSION_TABLE, metadata
from records.db import normalise_url

url = normalise_url(context.config.get_main_option("sqlalchemy.url") or "")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata(), version_table=VERSION_TABLE,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
