"""The ASHA tables' Alembic history (version table ``asha_alembic_version``) and its data step.

``upgrade(url, records)`` is what :func:`engine.asha.migrate`, ``saathi asha migrate`` and
``saathi.services.prepare_database`` run. Between the expand (``asha_0002``) and the contract
(``asha_0003``) it seals follow-ups written in clear with each patient's records data key, and
gives ASHAs registered before areas existed their own village as their area; between
``asha_0004`` and ``asha_0005`` it seals processed batch lines' outcomes with the ASHA's key.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine import migrations

VERSION_TABLE = "asha_alembic_version"


def _followups() -> sa.TableClause:
    """The follow-up table as it is between expand and contract (clear and sealed columns)."""
    return sa.table("asha_followups", sa.column("id", sa.Uuid()), sa.column("asha_id", sa.Uuid()),
                    sa.column("patient_id", sa.Uuid()), sa.column("code", sa.String()),
                    sa.column("kind", sa.String()), sa.column("label", sa.String()),
                    sa.column("due_on", sa.Date()), sa.column("details_enc", sa.LargeBinary()),
                    sa.column("dedupe", sa.String()))


def seal_clear_follow_ups(url: str, records: Any | None) -> int:
    """Seal every follow-up still in clear; those of deleted patients (no key left) go. Returns
    how many were sealed. Without ``records`` (no keys) it only works on a database that has none."""
    from engine.asha.service import follow_up_digest
    from records.crypto import KeyShredded
    from records.db import make_engine

    table = _followups()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:  # read, seal, then write: SQLite allows one writer at a time
            rows = conn.execute(sa.select(table).where(table.c.details_enc.is_(None))).all()
        if rows and records is None:
            raise RuntimeError(f"{len(rows)} ASHA follow-ups are stored in clear; sealing them needs the "
                               "records keys: run `saathi asha migrate`")
        changes: dict[Any, dict[str, Any] | None] = {}  # row id -> new values, None: delete
        for row in rows:
            try:
                if row.patient_id is None:
                    raise KeyShredded("no patient behind this code")
                with records.sessions() as s:
                    key = records.vault.for_user(s, row.patient_id)
            except KeyShredded:  # the patient was deleted: their follow-ups go with them
                changes[row.id] = None
                continue
            changes[row.id] = {"details_enc": key.seal({"kind": row.kind, "label": row.label}).blob,
                               "dedupe": follow_up_digest(records.keys, row.asha_id, row.code, row.kind,
                                                          row.label, row.due_on)}
        with engine.begin() as conn:
            for row_id, values in changes.items():
                where = table.c.id == row_id
                conn.execute(sa.delete(table).where(where) if values is None else
                             sa.update(table).where(where).values(**values))
        _villages_from_profiles(engine, records)
        return sum(v is not None for v in changes.values())
    finally:
        engine.dispose()


def _villages_from_profiles(engine: sa.Engine, records: Any | None) -> None:
    """ASHAs registered before areas existed serve (at least) their own village."""
    from engine.asha.villages import key as village_key

    if records is None:
        return
    from records.models import AshaProfile

    workers = sa.table("asha_workers", sa.column("user_id", sa.Uuid()))
    villages = sa.table("asha_villages", sa.column("asha_id", sa.Uuid()), sa.column("village", sa.String()))
    with engine.connect() as conn:
        served = set(conn.scalars(sa.select(villages.c.asha_id)))
        missing = [uid for uid in conn.scalars(sa.select(workers.c.user_id)) if uid not in served]
    own = {asha_id: village_key(_own_village(records, asha_id, AshaProfile)) for asha_id in missing}
    with engine.begin() as conn:
        for asha_id, village in own.items():
            if village:
                conn.execute(sa.insert(villages).values(asha_id=asha_id, village=village))


def _own_village(records: Any, asha_id: uuid.UUID, profile_model: Any) -> str:
    from records.crypto import KeyShredded

    with records.sessions() as s:
        row = s.get(profile_model, asha_id)
        if row is None:
            return ""
        try:
            return str(records.vault.for_user(s, asha_id).open(row.details_enc).get("village") or "")
        except KeyShredded:
            return ""


def seal_clear_outcomes(url: str, records: Any | None) -> int:
    """Seal batch line outcomes still in clear with their ASHA's data key (an ASHA deleted since:
    her lines go). Returns how many were sealed."""
    from records.crypto import KeyShredded
    from records.db import make_engine

    table = sa.table("asha_batch_lines", sa.column("asha_id", sa.Uuid()), sa.column("line_key", sa.String()),
                     sa.column("outcome", sa.String()), sa.column("outcome_enc", sa.LargeBinary()))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(table).where(table.c.outcome_enc.is_(None))).all()
        if rows and records is None:
            raise RuntimeError(f"{len(rows)} ASHA batch outcomes are in clear; sealing them needs the records "
                               "keys: run `saathi asha migrate`")
        changes: dict[tuple[Any, str], bytes | None] = {}
        for row in rows:
            try:
                with records.sessions() as s:
                    changes[(row.asha_id, row.line_key)] = records.vault.for_user(s, row.asha_id).seal(row.outcome).blob
            except KeyShredded:
                changes[(row.asha_id, row.line_key)] = None
        with engine.begin() as conn:
            for (asha_id, line_key), blob in changes.items():
                where = sa.and_(table.c.asha_id == asha_id, table.c.line_key == line_key)
                conn.execute(sa.delete(table).where(where) if blob is None else
                             sa.update(table).where(where).values(outcome_enc=blob))
        return sum(b is not None for b in changes.values())
    finally:
        engine.dispose()


def history(records: Any | None = None) -> migrations.History:
    return migrations.History(Path(__file__).resolve().parent, VERSION_TABLE, baseline="asha_0001",
                              legacy_table="asha_workers",
                              steps={"asha_0002": lambda url: seal_clear_follow_ups(url, records),
                                     "asha_0004": lambda url: seal_clear_outcomes(url, records)})


def upgrade(url: str, records: Any | None = None, revision: str = "head") -> None:
    migrations.upgrade(history(records), url, revision)


def downgrade(url: str, revision: str = "base") -> None:
    migrations.downgrade(history(), url, revision)


def current(url: str) -> str | None:
    return migrations.current(history(), url)
