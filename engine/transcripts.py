"""Retention of conversations: nothing a patient wrote is kept longer than
``SAATHI_TRANSCRIPT_RETENTION_DAYS`` (default 90) days.

Two places hold what was said: the events of Rasa's tracker store (every message in clear, with
the slots the intake filled and the triage answer) and the records' transcript lines (sealed).
Both are purged here, by the gateway every few hours (:func:`retention_timer`, the same
:class:`engine.periodic.Periodic` loop as its other sweeps, so a deployment without traffic is
purged too) and by ``saathi records purge-transcripts``.

The tracker store is reached through ``TRACKER_STORE_URL`` (Rasa's SQL store, the ``events``
table, one row per event with a Unix ``timestamp``); deleting the rows older than the cut-off
leaves each conversation's current session whole, since Rasa reads a tracker from its last
session start (sessions expire after 12 idle hours). The embedded in-memory store lives in the
Rasa process and prunes itself (``bot/tracker_store.py``). An erasure ("delete my data") is not
waited for here: the tracker store deletes that conversation in the same turn.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from engine.periodic import Periodic
from records.db import normalise_url

log = logging.getLogger(__name__)
INTERVAL = dt.timedelta(hours=6)
TRACKER_EVENTS_TABLE = "events"


def purge_tracker_events(tracker_store_url: str, older_than_days: float, now: float | None = None) -> int:
    """Deletes tracker events older than ``older_than_days``; how many (0 without the table)."""
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    engine = create_engine(normalise_url(tracker_store_url), poolclass=NullPool, hide_parameters=True)
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table(TRACKER_EVENTS_TABLE):
                return 0  # Rasa creates it at its first start
            result = conn.execute(text(f"DELETE FROM {TRACKER_EVENTS_TABLE} WHERE timestamp < :cutoff"),
                                  {"cutoff": cutoff})
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


def erase_conversation(tracker_store_url: str, sender: str) -> int:
    """Deletes every tracker event of one conversation; how many. The gateway's second pass after a
    confirmed erasure: Rasa's tracker store deletes them in the turn itself (bot/tracker_store.py),
    but Rasa's fail-safe wrapper would swallow a failure of that, so the gateway checks with its
    own delete (0 rows when all went well) and tells the patient if it fails too."""
    engine = create_engine(normalise_url(tracker_store_url), poolclass=NullPool, hide_parameters=True)  # a sender id
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table(TRACKER_EVENTS_TABLE):
                return 0
            result = conn.execute(text(f"DELETE FROM {TRACKER_EVENTS_TABLE} WHERE sender_id = :sender"),
                                  {"sender": sender})
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


def purge(settings: Any, now: float | None = None, records: Any = None) -> dict[str, int]:
    """One retention sweep over both places; counts by place (nothing when retention is 0 = off).
    ``now`` (Unix time) moves the tracker's cut-off, for tests; the records use their own clock.
    ``records``: the RecordsService to use (the process's, :func:`engine.services.current`, otherwise)."""
    days = settings.transcript_retention_days
    if days <= 0:
        return {}
    if records is None:
        from engine.services import current

        records = current().records
    counts = {"tracker_events": purge_tracker_events(settings.tracker_store_url, days, now)
              if settings.tracker_store_url else 0}
    counts["transcript_lines"] = records.purge_transcripts(days)
    if any(counts.values()):
        log.info("transcript retention: deleted %s", ", ".join(f"{n} {what}" for what, n in counts.items()))
    return counts


def retention_timer(settings: Any, interval: dt.timedelta = INTERVAL) -> Periodic:
    """Purges now and then every ``interval`` on a daemon thread (the gateway process), with the
    process's records service (and so its one connection pool) for all its rounds."""
    return Periodic("transcript retention sweep", interval, lambda: purge(settings), first_now=True)
