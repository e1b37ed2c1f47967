"""The de-identified traffic log: one row per triage the bot made, for drift monitoring.

``saathi model drift`` needs the population the served model actually sees; the records' own
triage results are sealed per patient and deliberately not read in bulk. So each triage also
appends one row here holding only what drift needs, coarsened so that no row points at a person:
symptom codes, bands instead of ages and durations, the day without the time, the model version,
the predicted urgency, top condition ids and red-flag rule ids, language and channel. No sender id,
no phone, no free text, no exact age or duration: the column set is fixed by :class:`TrafficRow`
and tests assert it.

Writing is one INSERT on a small pool with a short connect timeout, and :func:`log_triage` never
raises: a broken database must not cost the patient their answer. Rows older than
``SAATHI_TRAFFIC_DAYS`` (default 180) go with :func:`prune` (``saathi model drift --prune``).
Schema history: ``engine/triage/migrations/versions`` (the ``traffic`` branch of :mod:`engine.schema`; :func:`migrate`).
Plain Python (no Rasa, no Flask).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.triage.drift import Traffic
from engine.triage.evidence import DURATION_EDGES

log = logging.getLogger(__name__)

#: Age bands (years, lower bound inclusive): coarse enough that a band never singles out a person.
AGE_BANDS = ((5, "0-4"), (15, "5-14"), (30, "15-29"), (45, "30-44"), (60, "45-59"))
OLDEST_BAND = "60+"
#: Duration bands: the engine's own acute (<3 days) / subacute (3-14) / chronic (>14) edges.
DURATION_BANDS = ("<3d", "3-14d", ">14d")
#: Channels as the gateway names them; anything else is stored as "other" (never a free string).
CHANNELS = ("whatsapp", "sms", "voice", "rest")
LANGUAGES = ("hi", "pa", "en")
SEVERITIES = ("mild", "moderate", "severe")
TOP_CONDITIONS = 3
UNKNOWN = "unknown"
#: The context features drift compares besides the symptom and predicted-condition mixes.
CONTEXT_FEATURES = ("age_band", "sex", "pregnant", "duration_band")


class TrafficBase(DeclarativeBase):
    pass


class TrafficRow(TrafficBase):
    """One triage, de-identified. Adding a column here means arguing it identifies nobody."""

    __tablename__ = "triage_traffic"
    # BIGINT on PostgreSQL; INTEGER on SQLite, where only that is the auto-incrementing rowid.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)            # day only: no time of day
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: rules only
    symptoms: Mapped[list] = mapped_column(JSON, default=list)       # KB symptom codes present
    negated: Mapped[list] = mapped_column(JSON, default=list)        # KB symptom codes denied
    age_band: Mapped[str | None] = mapped_column(String(8), nullable=True)
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)  # m, f
    pregnant: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    duration_band: Mapped[str | None] = mapped_column(String(8), nullable=True)
    severity: Mapped[str | None] = mapped_column(String(12), nullable=True)
    urgency: Mapped[str] = mapped_column(String(16))
    conditions: Mapped[list] = mapped_column(JSON, default=list)     # top condition ids, best first
    red_flags: Mapped[list] = mapped_column(JSON, default=list)      # red-flag rule ids
    language: Mapped[str] = mapped_column(String(4))
    channel: Mapped[str] = mapped_column(String(12))


#: What a row may hold, and nothing else (tests compare the table against this).
COLUMNS = frozenset(TrafficRow.__table__.columns.keys())


def migrate(url: str) -> None:
    """Bring the traffic table to the newest schema (idempotent; SQLite file or PostgreSQL)."""
    from engine.schema import upgrade

    upgrade(url, target="traffic@head")


def age_band(age: float | None) -> str | None:
    """The age band of ``age`` in years; None when unknown or nonsense (negative)."""
    if age is None or age < 0:
        return None
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return OLDEST_BAND


def duration_band(days: float | None) -> str | None:
    """Acute (<3 days), subacute (3-14) or chronic (>14); None when unknown."""
    if days is None or days < 0:
        return None
    if days < DURATION_EDGES[0]:
        return "<3d"
    return "3-14d" if days <= DURATION_EDGES[1] else ">14d"


def channel_of(metadata: Mapping[str, Any] | None) -> str:
    """The channel from the message metadata the gateway adds; "rest" when there is none."""
    raw = str((metadata or {}).get("channel") or "rest").lower()
    return raw if raw in CHANNELS else "other"


def row_for(result: Any, inputs: Mapping[str, Any], channel: str, day: dt.date | None = None) -> dict[str, Any]:
    """The de-identified row for one triage: ``result`` (a ``TriageResult``) and the form inputs
    (``actions.intake.triage_inputs``). Only codes and bands are copied; ``inputs`` may hold more
    and none of it is taken verbatim except the fixed-vocabulary sex and severity."""
    sex = inputs.get("sex") if inputs.get("sex") in ("m", "f") else None
    pregnant = inputs.get("pregnant")
    if "pregnant" in (result.symptoms or []):
        pregnant = True
    severity = inputs.get("severity") if inputs.get("severity") in SEVERITIES else None
    return {
        "day": day or dt.date.today(),
        "model_version": str(result.model_version)[:64] if result.model_version else None,
        "symptoms": [str(s) for s in result.symptoms or []],
        "negated": [str(s) for s in result.negated or []],
        "age_band": age_band(inputs.get("age")),
        "sex": sex,
        "pregnant": pregnant if isinstance(pregnant, bool) else None,
        "duration_band": duration_band(inputs.get("duration_days")),
        "severity": severity,
        "urgency": str(result.urgency),
        "conditions": [str(c.id) for c in (result.conditions or [])[:TOP_CONDITIONS]],
        "red_flags": [str(f) for f in result.red_flags or []],
        "language": result.language if result.language in LANGUAGES else "other",
        "channel": channel if channel in CHANNELS else "other",
    }


@lru_cache(maxsize=4)
def _engine(url: str) -> sa.Engine:
    """A small pool per URL; PostgreSQL gives up connecting after 2 s so a dead database costs
    the conversation at most that, once per turn."""
    from records.db import make_engine, normalise_url

    url = normalise_url(url)
    if url.startswith("sqlite"):
        return make_engine(url, pool_size=1)
    return sa.create_engine(url, pool_size=2, max_overflow=2, pool_recycle=1800, hide_parameters=True,
                            connect_args={"connect_timeout": 2})


#: The small, quick-to-fail pool, for other de-identified logs written from a conversation
#: (engine/surveillance/events.py) so each does not open its own.
pooled_engine = _engine


def append(url: str, row: Mapping[str, Any]) -> None:
    """One INSERT of a row made by :func:`row_for` (raises on failure; see :func:`log_triage`)."""
    unknown = set(row) - COLUMNS
    if unknown:  # a guard against someone widening row_for without widening the review
        raise ValueError(f"not a traffic column: {sorted(unknown)}")
    with _engine(url).begin() as conn:
        conn.execute(sa.insert(TrafficRow).values(**row))


def log_triage(result: Any, inputs: Mapping[str, Any], metadata: Mapping[str, Any] | None = None,
               url: str | None = None) -> bool:
    """Append the triage to the traffic log; True when written. Never raises: the log failing must
    not break the conversation, and only the exception's type is logged (its message could quote
    a value)."""
    try:
        from config.settings import load

        settings = load()
        url = url or settings.effective_database_url
        append(url, row_for(result, inputs, channel_of(metadata)))
        _prune_daily(url, settings.traffic_days)
        return True
    except Exception as exc:  # noqa: BLE001 - any failure: drop the row, keep the conversation
        log.warning("triage traffic row not written (%s)", type(exc).__name__)
        return False


_pruned_on: dict[str, dt.date] = {}


def _prune_daily(url: str, days: int, today: dt.date | None = None) -> None:
    """Retention without a scheduler: the first row a process writes each day also deletes rows older
    than ``days`` (one indexed DELETE a day; ``saathi model drift --prune`` does the same by hand)."""
    today = today or dt.date.today()
    if days > 0 and _pruned_on.get(url) != today:
        _pruned_on[url] = today
        prune(url, days, today)


def read(url: str, since: dt.date) -> list[dict[str, Any]]:
    """Rows from ``since`` (inclusive) on, oldest first, as dicts."""
    engine = _engine(url)
    with engine.connect() as conn:
        result = conn.execute(sa.select(TrafficRow.__table__).where(TrafficRow.day >= since)
                              .order_by(TrafficRow.day, TrafficRow.id))
        return [dict(r._mapping) for r in result]


def context_of(row: Mapping[str, Any]) -> dict[str, str]:
    """The categorical context of a row (or of a training case) as drift compares it."""
    pregnant = row.get("pregnant")
    return {
        "age_band": row.get("age_band") or UNKNOWN,
        "sex": row.get("sex") or UNKNOWN,
        "pregnant": "yes" if pregnant is True else "no" if pregnant is False else UNKNOWN,
        "duration_band": row.get("duration_band") or UNKNOWN,
    }


def to_traffic(rows: list[Mapping[str, Any]]) -> Traffic:
    """Logged rows as the recent side of :func:`engine.triage.drift.compare`."""
    traffic = Traffic()
    for row in rows:
        traffic.symptoms.append(list(row.get("symptoms") or []))
        traffic.predicted.append((row.get("conditions") or [None])[0])
        traffic.context.append(context_of(row))
    return traffic


def prune(url: str, days: int, today: dt.date | None = None) -> int:
    """Delete rows older than ``days`` days (retention); returns how many went."""
    cutoff = (today or dt.date.today()) - dt.timedelta(days=days)
    with _engine(url).begin() as conn:
        return conn.execute(sa.delete(TrafficRow).where(TrafficRow.day < cutoff)).rowcount or 0
