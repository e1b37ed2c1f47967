"""The notify tables' Alembic history (version table ``notify_alembic_version``) and its data step.

Between the expand (``notify_0002``) and the contract (``notify_0003``), rows written before fields
were sealed get their fields sealed with the recipient's records data key and their dedupe key
replaced by its keyed digest (what :meth:`NotifyService.schedule` stores now); rows of people
deleted since (no key left) go.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine import migrations

VERSION_TABLE = "notify_alembic_version"


def seal_clear_rows(url: str, records: Any | None) -> int:
    """Seal every outbox row still in clear; returns how many were sealed."""
    from engine.notify.addresses import RecordsSealer
    from records.db import make_engine

    table = sa.table("notify_outbox", sa.column("id", sa.Uuid()), sa.column("user_id", sa.Uuid()),
                     sa.column("dedupe_key", sa.String()), sa.column("fields", sa.JSON()),
                     sa.column("fields_enc", sa.LargeBinary()))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:  # read, seal, then write: SQLite allows one writer at a time
            rows = conn.execute(sa.select(table).where(table.c.fields_enc.is_(None))).all()
        if rows and records is None:
            raise RuntimeError(f"{len(rows)} notifications hold their fields in clear; sealing them needs "
                               "the records keys: run `saathi asha migrate`")
        sealer = RecordsSealer(records)
        changes: dict[Any, dict[str, Any] | None] = {}  # row id -> new values, None: delete
        for row in rows:
            fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields or "{}")
            try:
                changes[row.id] = {"fields_enc": sealer.seal(row.user_id, fields).blob,
                                   "dedupe_key": sealer.digest(row.dedupe_key)}
            except LookupError:  # the person was deleted: nothing to send them any more
                changes[row.id] = None
        with engine.begin() as conn:
            for row_id, values in changes.items():
                where = table.c.id == row_id
                conn.execute(sa.delete(table).where(where) if values is None else
                             sa.update(table).where(where).values(**values))
        return sum(v is not None for v in changes.values())
    finally:
        engine.dispose()


def history(records: Any | None = None) -> migrations.History:
    return migrations.History(Path(__file__).resolve().parent, VERSION_TABLE, baseline="notify_0001",
                              legacy_table="notify_outbox",
                              steps={"notify_0002": lambda url: seal_clear_rows(url, records)})


def upgrade(url: str, records: Any | None = None, revision: str = "head") -> None:
    migrations.upgrade(history(records), url, revision)


def downgrade(url: str, revision: str = "base") -> None:
    migrations.downgrade(history(), url, revision)


def current(url: str) -> str | None:
    return migrations.current(history(), url)
