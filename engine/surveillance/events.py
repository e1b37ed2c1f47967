"""De-identified surveillance events: one row per syndrome of a case, by epi week and place.

Every bot triage, ASHA ``VISIT`` and portal-confirmed diagnosis that meets an S-form syndrome
(:func:`engine.surveillance.syndromes.classify`) adds a row per syndrome here: the ISO epi week
(its Monday; no day, no time), district, block and village codes from the place table, age band, sex,
syndrome, urgency, channel and source. No sender, name, phone, exact age, date or free text: the
column set is fixed by :class:`EventRow` and tests read a ``pg_dump`` of it. A case without a known
place in our districts is not counted (a count must belong to an area an officer serves).

The weekly aggregation (:func:`weekly_counts`) is one ``GROUP BY`` in the database; its output is
exactly the input of :func:`engine.surveillance.detect.detect`.
Writing never raises from :func:`log_case`: a broken database must not cost the patient the answer.
Schema history: ``engine/surveillance/migrations/versions`` (the ``surveillance`` branch of :mod:`engine.schema`).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from config.paths import ROOT
from engine.surveillance.places import Place
from engine.surveillance.syndromes import classify
from engine.surveillance.weeks import monday_of, parse_week, week_label, week_of
from engine.triage.traffic import CHANNELS, age_band
from engine.triage.traffic import pooled_engine as engine_for

log = logging.getLogger(__name__)

SOURCES = ("bot", "asha", "portal")
URGENCIES = ("emergency", "urgent", "routine")


class EventsBase(DeclarativeBase):
    pass


class EventRow(EventsBase):
    """One syndrome of one case, de-identified. Adding a column means arguing it identifies nobody."""

    __tablename__ = "surveillance_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    week: Mapped[dt.date] = mapped_column(Date, index=True)            # Monday of the ISO epi week
    district: Mapped[str] = mapped_column(String(8))
    block: Mapped[str] = mapped_column(String(24), index=True)
    village: Mapped[str | None] = mapped_column(String(60), nullable=True)
    syndrome: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(8), nullable=True)
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    urgency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    channel: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(8))


COLUMNS = frozenset(EventRow.__table__.columns.keys())


@dataclass(frozen=True)
class Case:
    """What surveillance may know of one case; everything else stays with the caller."""

    symptoms: tuple[str, ...]
    red_flags: tuple[str, ...] = ()
    duration_days: float | None = None
    age: float | None = None
    sex: str | None = None
    urgency: str | None = None


def rows_for(case: Case, place: Place | None, channel: str, source: str,
             day: dt.date | None = None) -> list[dict[str, Any]]:
    """The event rows of one case: one per syndrome it meets, none without a place of ours."""
    if place is None:
        return []
    syndromes = classify(case.symptoms, case.red_flags, case.duration_days, case.age)
    base = _base(place, case.age, case.sex, case.urgency, channel, source, day)
    return [{**base, "syndrome": code} for code in syndromes]


def _base(place: Place, age: float | None, sex: str | None, urgency: str | None, channel: str, source: str,
          day: dt.date | None) -> dict[str, Any]:
    """The columns every event row of one case shares: only codes, bands and the week."""
    return {
        "week": monday_of(week_of(day or dt.date.today())),
        "district": place.district_code,
        "block": place.block_code,
        "village": place.village,
        "age_band": age_band(age),
        "sex": sex if sex in ("m", "f") else None,
        "urgency": urgency if urgency in URGENCIES else None,
        "channel": channel if channel in CHANNELS else "other",
        "source": source if source in SOURCES else "bot",
    }


def append(url: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """INSERT the rows (raises on failure; see :func:`log_case`)."""
    rows = list(rows)
    for row in rows:
        unknown = set(row) - COLUMNS
        if unknown:
            raise ValueError(f"not an event column: {sorted(unknown)}")
    if rows:
        with engine_for(url).begin() as conn:
            conn.execute(sa.insert(EventRow), rows)
    return len(rows)


def log_case(case: Case, place: Place | None, channel: str, source: str, url: str | None = None,
             day: dt.date | None = None) -> int:
    """Count the case in surveillance; how many rows were written. Never raises (only the exception
    type is logged: its message could quote a value)."""
    try:
        rows = rows_for(case, place, channel, source, day)
        if not rows:
            return 0
        if url is None:
            from config.settings import load

            url = load().effective_database_url
        return append(url, rows)
    except Exception as exc:  # noqa: BLE001 - drop the count, keep the conversation
        log.warning("surveillance event not written (%s)", type(exc).__name__)
        return 0


#: What the syndromic (S-form) counts and the detection read: cases the bot and ASHAs saw.
#: Portal-confirmed diagnoses (source "portal") are mostly the same people seen again by a doctor
#: (IDSP's P form), so they are counted apart and never added to these.
SYNDROMIC_SOURCES = ("bot", "asha")


def weekly_counts(url: str, since: str | None = None, until: str | None = None, district: str | None = None,
                  by: str = "block", sources: Iterable[str] = SYNDROMIC_SOURCES) -> list[tuple[str, str, str, int]]:
    """``(week "YYYY-Www", area, syndrome, count)`` per week, area (``block`` or ``village``) and
    syndrome, oldest first; ``since``/``until`` are ISO weeks (inclusive)."""
    table = EventRow.__table__
    area = table.c.block if by == "block" else table.c.village
    query = sa.select(table.c.week, area, table.c.syndrome, sa.func.count()).group_by(
        table.c.week, area, table.c.syndrome).order_by(table.c.week, area, table.c.syndrome)
    if since:
        query = query.where(table.c.week >= monday_of(parse_week(since)))
    if until:
        query = query.where(table.c.week <= monday_of(parse_week(until)))
    if district:
        query = query.where(table.c.district == district)
    if by != "block":
        query = query.where(table.c.village.is_not(None))
    query = query.where(table.c.source.in_(list(sources)))
    with engine_for(url).connect() as conn:
        return [(week_label(week), str(where), syndrome, int(n)) for week, where, syndrome, n in conn.execute(query)]


def url_of(records: Any) -> str:
    """The database URL of a ``RecordsService``: a case a service saw is counted in its own database."""
    with records.sessions() as session:
        return session.get_bind().url.render_as_string(hide_password=False)


def case_of(result: Any, age: float | None = None, sex: str | None = None,
            duration_days: float | None = None) -> Case:
    """The :class:`Case` of a triage result (``engine.triage.TriageResult``): its codes only."""
    return Case(symptoms=tuple(str(s) for s in result.symptoms or []),
                red_flags=tuple(str(f) for f in result.red_flags or []),
                duration_days=duration_days, age=age, sex=sex, urgency=str(result.urgency))


ICD10_TSV = ROOT / "data" / "surveillance" / "icd10_syndromes.tsv"


@lru_cache(maxsize=1)
def _icd10_map() -> tuple[tuple[str, str], ...]:
    """(ICD-10 prefix, syndrome), longest prefix first."""
    with ICD10_TSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        pairs = [(r["icd10"].strip().upper(), r["syndrome"].strip()) for r in rows]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def syndrome_of_diagnosis(icd10: str) -> str | None:
    """The S-form syndrome a confirmed diagnosis belongs to (``data/surveillance/icd10_syndromes.tsv``)."""
    code = (icd10 or "").strip().upper()
    return next((syndrome for prefix, syndrome in _icd10_map() if code.startswith(prefix)), None)


def log_diagnosis(icd10: str, place: Place | None, age: float | None = None, sex: str | None = None,
                  url: str | None = None, day: dt.date | None = None) -> int:
    """Count a diagnosis a doctor confirmed on the portal (source ``portal``); never raises."""
    try:
        syndrome = syndrome_of_diagnosis(icd10)
        if syndrome is None or place is None:
            return 0
        row = {**_base(place, age, sex, None, "rest", "portal", day), "syndrome": syndrome}
        if url is None:
            from config.settings import load

            url = load().effective_database_url
        return append(url, [row])
    except Exception as exc:  # noqa: BLE001 - drop the count, keep the doctor's work
        log.warning("surveillance diagnosis not written (%s)", type(exc).__name__)
        return 0
