"""Alembic histories of the engines' own tables (ASHA, notifications), run from code.

Each engine keeps its history beside its models (``engine/<name>/migrations``) with its own
version table, like the portal's (``records/portal_migrations``), so the records, portal and
engine histories never step on each other in the one database. Two things the records history
does not need:

* **Databases made before the history existed.** The ASHA and notify tables used to be created
  with ``create_all``; such a database has the tables and no version table. It is stamped at the
  baseline revision (which creates exactly those tables) and then upgraded, instead of failing on
  ``CREATE TABLE`` of a table that exists.
* **Data steps that need keys.** Sealing values written in clear needs the records' data keys,
  which a migration script must not reach for. A history therefore goes *expand* (new nullable
  columns) → data step (Python, with the keys) → *contract* (drop the clear columns), and
  :func:`upgrade` runs the data step between the two when the database is before the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, pool

from records.db import ensure_sqlite_dir, normalise_url

#: A data step: gets the database URL once the schema is at the step's revision.
DataStep = Callable[[str], None]


@dataclass(frozen=True)
class History:
    """One engine's Alembic history: where its scripts are, its version table, its baseline."""

    script_dir: Path
    version_table: str
    baseline: str                 # the revision that creates what create_all used to create
    legacy_table: str             # a table create_all made: present without a version table → stamp
    steps: dict[str, DataStep] = field(default_factory=dict)  # revision → data step run right after it

    def config(self, url: str) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(self.script_dir))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        cfg.attributes["version_table"] = self.version_table
        return cfg


def _tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def current(history: History, url: str) -> str | None:
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(
                conn, opts={"version_table": history.version_table}).get_current_revision()
    finally:
        engine.dispose()


def upgrade(history: History, url: str, revision: str = "head", *, run_steps: bool = True) -> None:
    """Bring the engine's tables to ``revision`` (idempotent), running data steps on the way."""
    ensure_sqlite_dir(url)
    cfg = history.config(url)
    tables = _tables(url)
    if history.version_table not in tables and history.legacy_table in tables:
        command.stamp(cfg, history.baseline)  # made by create_all before this history existed
    if run_steps and history.steps:
        order = [s.revision for s in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]
        now = current(history, url)
        at = order.index(now) if now in order else -1
        target = order.index(revision) if revision in order else len(order) - 1
        for step_revision, step in history.steps.items():
            index = order.index(step_revision)
            if at <= index < target:  # not yet past the step's contract, and going there
                command.upgrade(cfg, step_revision)
                step(url)
                at = index
    command.upgrade(cfg, revision)


def downgrade(history: History, url: str, revision: str = "base") -> None:
    command.downgrade(history.config(url), revision)


def run_env(metadata: MetaData) -> None:
    """The body of each engine history's ``env.py`` (online only; the URL comes from the caller)."""
    from alembic import context

    config = context.config
    version_table = config.attributes["version_table"]
    engine = create_engine(normalise_url(config.get_main_option("sqlalchemy.url") or ""), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, version_table=version_table,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
