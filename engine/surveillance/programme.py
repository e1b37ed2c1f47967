"""The programme manager's figures: use, reach and quality of the service since a day.

Read from tables that hold no health detail in clear: the de-identified triage log (channel,
language, urgency, whether the intake gave age, sex and duration), the notify outbox (kind and
status: reminder delivery), pharmacy reservations (kept = picked up), handoff cases (request time to
the booked doctor's slot). Every count goes through :func:`engine.surveillance.privacy.shown`; a rate
is shown only when its denominator is 5 or more. A table that is not there yet gives no figure.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from typing import Any

import sqlalchemy as sa

from engine.surveillance.events import engine_for
from engine.surveillance.privacy import SMALL, shown

log = logging.getLogger(__name__)


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole >= SMALL else "too few to show"


def _query(url: str, sql: str, **params: Any) -> list[tuple]:
    try:
        with engine_for(url).connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    except sa.exc.SQLAlchemyError as exc:  # the table is not there (yet): no figure
        log.info("programme figure skipped (%s)", type(exc).__name__)
        return []


def figures(url: str, since: dt.date) -> dict[str, Any]:
    """Named figures for the programme page; counts as shown texts, rates as percentages."""
    start = dt.datetime.combine(since, dt.time(), dt.timezone.utc)
    out: dict[str, Any] = {"since": since.isoformat()}
    by = {}
    for column in ("channel", "language", "urgency"):
        rows = _query(url, f"SELECT {column}, count(*) FROM triage_traffic WHERE day >= :since "
                           f"GROUP BY {column} ORDER BY {column}", since=since)
        by[column] = [(str(k), shown(int(n))) for k, n in rows]
    out["triage_by"] = by
    total = _query(url, "SELECT count(*), sum(CASE WHEN age_band IS NOT NULL AND sex IS NOT NULL AND "
                        "duration_band IS NOT NULL THEN 1 ELSE 0 END) FROM triage_traffic WHERE day >= :since",
                   since=since)
    triages, complete = (int(total[0][0] or 0), int(total[0][1] or 0)) if total else (0, 0)
    out["triages"] = shown(triages)
    out["intake_complete"] = _rate(complete, triages)
    sent = _query(url, "SELECT status, count(*) FROM notify_outbox WHERE due_at >= :start AND kind IN "
                       "('medicine', 'appointment', 'checkup') GROUP BY status", start=start)
    statuses = {str(s): int(n) for s, n in sent}
    finished = sum(n for s, n in statuses.items() if s not in ("scheduled", "sending"))
    out["reminders"] = shown(finished)
    out["reminders_delivered"] = _rate(statuses.get("sent", 0), finished)
    kept = _query(url, "SELECT status, count(*) FROM pharmacy_reservations WHERE created_at >= :start "
                       "GROUP BY status", start=start)
    reservations = {str(s): int(n) for s, n in kept}
    closed = sum(n for s, n in reservations.items() if s in ("picked_up", "expired", "cancelled"))
    out["reservations"] = shown(closed)
    out["reservations_kept"] = _rate(reservations.get("picked_up", 0), closed)
    waits = _query(url, "SELECT created_at, scheduled_at FROM handoff_cases WHERE created_at >= :start "
                        "AND scheduled_at IS NOT NULL", start=start)
    hours = [(_aware(b) - _aware(a)).total_seconds() / 3600 for a, b in waits if a and b]
    out["handoffs"] = shown(len(hours))
    out["handoff_median_hours"] = f"{statistics.median(hours):.1f} h" if len(hours) >= SMALL else "too few to show"
    return out


def _aware(value: Any) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
