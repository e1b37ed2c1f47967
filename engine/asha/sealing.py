"""Data steps of the ASHA tables' history (run by :func:`engine.schema.upgrade`, which has the keys).

Between the expand (``asha_0002``) and the contract (``asha_0003``): seal follow-ups written in
clear with each patient's records data key, and give ASHAs registered before areas existed their
own village as their area; between ``asha_0004`` and ``asha_0005``: seal processed batch lines'
outcomes with the ASHA's key. Alembic scripts cannot do this (they never reach for keys).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa


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
    from engine.schema.steps import Change, rewrite_clear_rows
    from records.crypto import KeyShredded, Place
    from records.db import make_engine

    table = _followups()

    def change(row: Any) -> Change:
        where = table.c.id == row.id
        try:
            if row.patient_id is None:
                raise KeyShredded("no patient behind this code")
            sealed = records.seal_for(row.patient_id, {"kind": row.kind, "label": row.label},
                                      Place("asha_followups", "details_enc", str(row.id)))
        except KeyShredded:  # the patient was deleted: their follow-ups go with them
            return where, None
        return where, {"details_enc": sealed.blob,
                       "dedupe": follow_up_digest(records, row.asha_id, row.code, row.kind, row.label, row.due_on)}

    sealed = rewrite_clear_rows(url, table, table.c.details_enc.is_(None), records, "ASHA follow-ups", change)
    engine = make_engine(url)
    try:
        _villages_from_profiles(engine, records)
    finally:
        engine.dispose()
    return sealed


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
        return str(records.open_column(asha_id, row, "details_enc", {}).get("village") or "")
    except KeyShredded:
        return ""


def seal_clear_outcomes(url: str, records: Any | None) -> int:
    """Seal batch line outcomes still in clear with their ASHA's data key (an ASHA deleted since:
    her lines go). Returns how many were sealed."""
    from engine.schema.steps import Change, rewrite_clear_rows
    from records.crypto import KeyShredded, Place

    table = sa.table("asha_batch_lines", sa.column("asha_id", sa.Uuid()), sa.column("line_key", sa.String()),
                     sa.column("outcome", sa.String()), sa.column("outcome_enc", sa.LargeBinary()))

    def change(row: Any) -> Change:
        where = sa.and_(table.c.asha_id == row.asha_id, table.c.line_key == row.line_key)
        try:
            return where, {"outcome_enc": records.seal_for(row.asha_id, row.outcome,
                                                           Place("asha_batch_lines", "outcome_enc", row.line_key)).blob}
        except KeyShredded:
            return where, None

    return rewrite_clear_rows(url, table, table.c.outcome_enc.is_(None), records, "ASHA batch outcomes", change)
