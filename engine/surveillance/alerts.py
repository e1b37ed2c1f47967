"""Outbreak alerts: raised once per cluster, sent to the district's surveillance officers at once,
kept on the portal until someone acknowledges them, each with what triggered it.

:func:`raise_alerts` runs detection (the same :func:`engine.surveillance.detect.detect` as the
contract's command) over the counts of the events table, and looks at the alerts of the latest
weeks. An alert for an area and syndrome whose open cluster alerted in one of the
``CLUSTER_GAP_WEEKS`` weeks before extends that cluster (its last week and counts move on; no new
message); otherwise it opens a cluster, records the weekly counts that decided it (the baseline
weeks and the week itself), and schedules one notification per officer registered for the
district through :mod:`engine.notify` — ``urgent``, so quiet hours do not hold it back. Running it
again on the same data does nothing new (the cluster exists; the notify dedupe key is the alert
id and the officer).

Officers are records users (their phone is sealed in the records, which is how ``engine.notify``
reaches anyone) listed with their district in ``surveillance_officers``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from engine.surveillance.detect import BASELINE, LAG, Alert, detect
from engine.surveillance.events import EventsBase, weekly_counts
from engine.surveillance.events import engine_for as _engine_for
from engine.surveillance.places import blocks
from engine.surveillance.privacy import approx, shown, suppress_line
from engine.surveillance.syndromes import syndromes
from engine.surveillance.weeks import format_week, monday_of, parse_week, week_of

log = logging.getLogger(__name__)

CLUSTER_GAP_WEEKS = 2    # an alert within 2 weeks of the cluster's last alert week belongs to it
RECENT_WEEKS = 2         # a run raises alerts for the latest weeks only (older ones were judged before)
TRIGGER_WEEKS = BASELINE + max(LAG.values()) + 1  # the weeks a record of what triggered an alert keeps
MESSAGE_KEY = "surveillance_notify_alert"


class OfficerRow(EventsBase):
    """A surveillance officer (records user) and a district whose alerts they receive."""

    __tablename__ = "surveillance_officers"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    district: Mapped[str] = mapped_column(String(8), primary_key=True)


class AlertRow(EventsBase):
    """One cluster: the area, syndrome and weeks it spans, the latest decision, and its trigger."""

    __tablename__ = "surveillance_alerts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    district: Mapped[str] = mapped_column(String(8), index=True)
    area: Mapped[str] = mapped_column(String(24))
    syndrome: Mapped[str] = mapped_column(String(32))
    first_week: Mapped[dt.date] = mapped_column(Date)
    last_week: Mapped[dt.date] = mapped_column(Date)
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))
    #: what triggered it: {"weeks": [...], "counts": [...], "threshold_sd": k} of the first alert week
    trigger: Mapped[dict] = mapped_column(JSON)
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class Scheduler(Protocol):
    """The part of :class:`engine.notify.NotifyService` alerts use."""

    def schedule(self, user_id: uuid.UUID, key: str, fields: dict[str, str], at: dt.datetime, *,
                 dedupe: str, kind: str, urgent: bool = False) -> uuid.UUID | None: ...


@dataclass(frozen=True)
class Raised:
    """What one run did: clusters opened (with how many messages went out) and clusters extended."""

    opened: list[int]
    extended: list[int]
    notified: int


def add_officer(url: str, user_id: uuid.UUID, district: str) -> None:
    """Register ``user_id`` for ``district``'s alerts (idempotent)."""
    with _engine_for(url).begin() as conn:
        exists = conn.execute(sa.select(OfficerRow.user_id).where(
            OfficerRow.user_id == user_id, OfficerRow.district == district)).first()
        if not exists:
            conn.execute(sa.insert(OfficerRow).values(user_id=user_id, district=district))


def officers(url: str, district: str) -> list[uuid.UUID]:
    with _engine_for(url).connect() as conn:
        return list(conn.scalars(sa.select(OfficerRow.user_id).where(OfficerRow.district == district)
                                 .order_by(OfficerRow.user_id)))


def _trigger(series: dict[int, int], week: int, threshold_sd: float | None) -> dict[str, Any]:
    weeks = list(range(week - TRIGGER_WEEKS + 1, week + 1))
    return {"weeks": [format_week(w) for w in weeks], "counts": [series.get(w, 0) for w in weeks],
            "threshold_sd": threshold_sd}


def raise_alerts(url: str, notify: Scheduler | None, *, now: dt.datetime | None = None,
                 method: str = "ears_c2", threshold: float | None = None, until: str | None = None) -> Raised:
    """Detect on the events' weekly block counts up to ``until`` (default: this week) and raise the
    alerts of the latest ``RECENT_WEEKS`` weeks, once per cluster."""
    now = now or dt.datetime.now(dt.timezone.utc)
    last = parse_week(until) if until else week_of(now.date())
    counts = [(parse_week(w), a, s, c) for w, a, s, c in weekly_counts(url, until=format_week(last))]
    series: dict[tuple[str, str], dict[int, int]] = {}
    for week, area, syndrome, count in counts:
        series.setdefault((area, syndrome), {})[week] = count
    recent = [a for a in detect(counts, method, threshold) if a.week > last - RECENT_WEEKS]
    by_cell = {(w, a, s): c for w, a, s, c in counts}
    opened, extended, notified = [], [], 0
    for alert in recent:
        row_id, what = _record(url, alert, series[(alert.area, alert.syndrome)], threshold, now)
        if what == "extended":
            extended.append(row_id)
        elif what == "new":
            opened.append(row_id)
            notified += _notify(url, notify, row_id, alert, now, by_cell)
    return Raised(opened, extended, notified)


def _record(url: str, alert: Alert, series: dict[int, int], threshold_sd: float | None,
            now: dt.datetime) -> tuple[int, str]:
    """The cluster this alert belongs to or a new one: (id, "new" | "extended" | "seen")."""
    week = monday_of(alert.week)
    district = (blocks().get(alert.area) or ("", alert.area.split("-")[0], 0))[1]
    table = AlertRow.__table__
    with _engine_for(url).begin() as conn:
        open_row = conn.execute(sa.select(table.c.id, table.c.last_week).where(
            table.c.area == alert.area, table.c.syndrome == alert.syndrome,
            table.c.last_week >= monday_of(alert.week - CLUSTER_GAP_WEEKS), table.c.first_week <= week)
            .order_by(table.c.last_week.desc()).limit(1)).first()
        if open_row is not None:
            if open_row.last_week >= week:
                return int(open_row.id), "seen"
            conn.execute(sa.update(table).where(table.c.id == open_row.id).values(
                last_week=week, observed=alert.observed, expected=alert.expected, threshold=alert.threshold))
            return int(open_row.id), "extended"
        result = conn.execute(sa.insert(table).values(
            district=district, area=alert.area, syndrome=alert.syndrome, first_week=week, last_week=week,
            observed=alert.observed, expected=alert.expected, threshold=alert.threshold, method=alert.method,
            trigger=_trigger(series, alert.week, threshold_sd), raised_at=now))
        return int(result.inserted_primary_key[0]), "new"


def _notify(url: str, notify: Scheduler | None, row_id: int, alert: Alert, now: dt.datetime,
            by_cell: dict[tuple[int, str, str], int]) -> int:
    """One urgent message per officer of the district (area, syndrome and counts only; no person).
    The counts are as the portal shows them (the week's district line suppressed; the expected count
    in whole cases), so a message and a page together reveal no small count."""
    if notify is None:
        return 0
    block_name, district, _ = blocks().get(alert.area) or (alert.area, alert.area.split("-")[0], 0)
    syndrome = syndromes().get(alert.syndrome)
    line = suppress_line({code: by_cell.get((alert.week, code, alert.syndrome), 0)
                          for code, (_, d, _) in blocks().items() if d == district} or {alert.area: alert.observed})
    fields = {"block": block_name, "syndrome": syndrome.name if syndrome else alert.syndrome,
              "observed": line.cells.get(alert.area, shown(alert.observed)), "expected": approx(alert.expected),
              "week": format_week(alert.week)}
    sent = 0
    for officer in officers(url, district):
        if notify.schedule(officer, MESSAGE_KEY, fields, now, dedupe=f"surveillance:{row_id}:{officer}",
                           kind="surveillance", urgent=True):
            sent += 1
    return sent


def open_alerts(url: str, district: str | None = None, include_acknowledged: bool = False) -> list[dict[str, Any]]:
    """Alerts for the portal, newest first: unacknowledged ones unless ``include_acknowledged``."""
    table = AlertRow.__table__
    query = sa.select(table).order_by(table.c.last_week.desc(), table.c.id.desc())
    if district:
        query = query.where(table.c.district == district)
    if not include_acknowledged:
        query = query.where(table.c.acknowledged_at.is_(None))
    with _engine_for(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def acknowledge(url: str, alert_id: int, user_id: uuid.UUID, now: dt.datetime | None = None,
                districts: Iterable[str] | None = None) -> bool:
    """Mark an alert seen by ``user_id`` (only within ``districts`` when given); False if nothing changed."""
    table = AlertRow.__table__
    query = sa.update(table).where(table.c.id == alert_id, table.c.acknowledged_at.is_(None))
    if districts is not None:
        query = query.where(table.c.district.in_(list(districts)))
    with _engine_for(url).begin() as conn:
        done = conn.execute(query.values(acknowledged_at=now or dt.datetime.now(dt.timezone.utc),
                                         acknowledged_by=user_id))
        return bool(done.rowcount)


def alert_sweep(settings: Any, interval: dt.timedelta = dt.timedelta(hours=6),
                clock: Any = None) -> Any:
    """Every ``interval`` (a daemon thread in the gateway, which owns a notify scheduler): raise this
    week's alerts. Idempotent, once per cluster, so running it often only makes alerts sooner."""
    from engine.notify.jobs import service
    from engine.periodic import Periodic
    from engine.surveillance import migrations

    def sweep() -> None:
        url = settings.effective_database_url
        migrations.upgrade(url)
        raise_alerts(url, service(), now=clock() if clock else None, method=settings.surveillance_method,
                     threshold=settings.surveillance_threshold)

    return Periodic("surveillance alerts", interval, sweep)
