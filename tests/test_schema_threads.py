"""Two threads migrating at once (the gateway builds its services lazily, so an emergency job may
create the ASHA tables while a request creates the notify tables) must each change only their own
database. Alembic's ``op`` and ``context`` are process-wide proxies; before engine.schema ran its
commands one at a time, one migration's DDL went through the other's connection, and CI died with
a SIGSEGV inside psycopg2's execute."""

from __future__ import annotations

import contextlib
import threading

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from engine import schema
from records.db import normalise_url
from tests.support.records import fresh_pg_database

HEADS = {part: schema.scripts().get_revision(f"{part}@head").revision for part in ("asha", "notify")}


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(normalise_url(url), poolclass=NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_concurrent_migrations_each_reach_their_own_database() -> None:
    with contextlib.ExitStack() as stack:
        asha_db = stack.enter_context(fresh_pg_database("saathi_thr_a"))
        notify_db = stack.enter_context(fresh_pg_database("saathi_thr_n"))
        for _ in range(3):
            start = threading.Barrier(2)
            errors: list[BaseException] = []

            def run(url: str, part: str, start: threading.Barrier = start,
                    errors: list[BaseException] = errors) -> None:
                start.wait()
                try:
                    schema.upgrade(url, target=f"{part}@head")
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                    errors.append(exc)

            threads = [threading.Thread(target=run, args=(asha_db, "asha")),
                       threading.Thread(target=run, args=(notify_db, "notify"))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert not errors, errors
            assert schema.current(asha_db, "asha") == HEADS["asha"]
            assert schema.current(notify_db, "notify") == HEADS["notify"]
            asha_tables, notify_tables = _tables(asha_db), _tables(notify_db)
            assert any(t.startswith("asha") for t in asha_tables)
            assert not any(t.startswith("notify") or t.startswith("outbox") for t in asha_tables), asha_tables
            assert not any(t.startswith("asha") for t in notify_tables), notify_tables
            assert schema.current(asha_db, "notify") is None and schema.current(notify_db, "asha") is None
            schema.downgrade(asha_db, "asha@base")
            schema.downgrade(notify_db, "notify@base")
