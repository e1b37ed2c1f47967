"""Which doctor, which slots: plain functions over plain values (the store feeds them rows).

Routing prefers, in order: a doctor of the triage's specialty who speaks the patient's language,
then a general physician who does, then anyone of the specialty (an interpreter joins the call).
Within a tier, the earliest free slot wins; "now" means a doctor on duty who speaks the
language (specialty or general physician) with a slot that has
already started or starts within :data:`NOW_WINDOW`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NOW_WINDOW = dt.timedelta(minutes=10)
GENERALIST = "general_physician"


@dataclass(frozen=True)
class Doctor:
    id: str
    specialty: str
    languages: tuple[str, ...]
    on_duty: bool = False


@dataclass(frozen=True)
class Slot:
    id: str
    doctor_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def tier(doctor: Doctor, specialty: str, language: str) -> int | None:
    """0 best; None: not suitable at all."""
    speaks = language in doctor.languages
    if doctor.specialty == specialty and speaks:
        return 0
    if doctor.specialty == GENERALIST and speaks:
        return 1
    if doctor.specialty == specialty:
        return 2
    return None


def in_queue(doctor: Doctor, specialty: str, language: str) -> bool:
    """Waiting cases a doctor sees in her queue: she speaks the patient's language and has the
    specialty (or is a general physician)."""
    return tier(doctor, specialty, language) in (0, 1)


def next_slots(doctors: list[Doctor], free: list[Slot], specialty: str, language: str, now: dt.datetime,
               count: int = 3) -> list[Slot]:
    """The best ``count`` free future slots, at most one per start time, best tier first."""
    by_id = {d.id: d for d in doctors}
    ranked = []
    for slot in free:
        doctor = by_id.get(slot.doctor_id)
        rank = tier(doctor, specialty, language) if doctor else None
        if rank is None or slot.ends_at <= now:
            continue
        ranked.append((rank, slot.starts_at, slot.id, slot))
    best_tier = min((r[0] for r in ranked), default=None)
    chosen: list[Slot] = []
    seen_starts: set[dt.datetime] = set()
    for rank, start, _, slot in sorted(ranked):
        if rank != best_tier or start in seen_starts:
            continue
        if slot.starts_at < now and not by_id[slot.doctor_id].on_duty:
            continue
        seen_starts.add(start)
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen


def now_slot(doctors: list[Doctor], free: list[Slot], specialty: str, language: str,
             now: dt.datetime) -> Slot | None:
    """A slot with an on-duty doctor that is running or about to start, if any."""
    on_duty = [d for d in doctors if d.on_duty and in_queue(d, specialty, language)]
    ids = {d.id for d in on_duty}
    candidates = [s for s in free if s.doctor_id in ids and s.starts_at <= now + NOW_WINDOW and s.ends_at > now]
    by_id = {d.id: d for d in on_duty}
    candidates.sort(key=lambda s: (tier(by_id[s.doctor_id], specialty, language), s.starts_at))
    return candidates[0] if candidates else None


def queue_order(priority: int, created_at: dt.datetime) -> tuple[int, dt.datetime]:
    """Urgency first (0 emergency), then who has waited longest."""
    return priority, created_at
