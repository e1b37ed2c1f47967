"""Data step of the notify tables' history (run by :func:`engine.schema.upgrade`, which has the keys).

Between the expand (``notify_0002``) and the contract (``notify_0003``), rows written before fields
were sealed get their fields sealed with the recipient's records data key and their dedupe key
replaced by its keyed digest (what :meth:`NotifyService.schedule` stores now); rows of people
deleted since (no key left) go.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa


def seal_clear_rows(url: str, records: Any | None) -> int:
    """Seal every outbox row still in clear; returns how many were sealed."""
    from engine.notify.addresses import RecordsSealer
    from engine.schema.steps import Change, rewrite_clear_rows

    table = sa.table("notify_outbox", sa.column("id", sa.Uuid()), sa.column("user_id", sa.Uuid()),
                     sa.column("dedupe_key", sa.String()), sa.column("fields", sa.JSON()),
                     sa.column("fields_enc", sa.LargeBinary()))
    sealer = RecordsSealer(records)

    def change(row: Any) -> Change:
        fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields or "{}")
        try:
            return table.c.id == row.id, {"fields_enc": sealer.seal(row.user_id, row.id, fields).blob,
                                          "dedupe_key": sealer.digest(row.dedupe_key)}
        except LookupError:  # the person was deleted: nothing to send them any more
            return table.c.id == row.id, None

    return rewrite_clear_rows(url, table, table.c.fields_enc.is_(None), records, "notifications", change)
