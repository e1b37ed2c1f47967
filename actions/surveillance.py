"""Counting a bot triage for surveillance: the place the conversation knows, and one call.

The place is the one the service already has for this conversation — a shared WhatsApp location
on the latest message, the place the pharmacy form validated (``pharmacy_place``: label, PIN,
coordinates), else the village in the patient's record when they agreed to keep one — coarsened to
the place table's village, block and district; without one the case is not counted. Only codes and bands reach :mod:`engine.surveillance.events`.
"""

from __future__ import annotations

import logging
from typing import Any

from actions.pharmacy import metadata, remembered_place
from engine.pharmacy import locate
from engine.surveillance.events import case_of, log_case
from engine.surveillance.places import Place, resolve
from engine.triage.traffic import channel_of

log = logging.getLogger(__name__)


def place_of(tracker) -> Place | None:  # type: ignore[no-untyped-def]
    where = locate("", metadata(tracker)) or remembered_place(tracker)
    if where is not None:
        return resolve(village=where.label or None, pin=where.pin or None, lat=where.lat, lon=where.lon)
    return resolve(village=profile_village(tracker))


def profile_village(tracker) -> str | None:  # type: ignore[no-untyped-def]
    """The village in the patient's record, only when they agreed to keep one (``records_consent``);
    read for this triage and coarsened to its block by the caller, never stored as such."""
    if tracker.get_slot("records_consent") != "yes":
        return None
    from actions.health_record import me, patient_of, service
    from records import Purpose

    pid = patient_of(tracker, tracker.get_slot("language") or "hi")
    return service().patient_profile(me(pid), pid, purpose=Purpose.TRIAGE).get("village") or None


def known_place(tracker) -> Place | None:  # type: ignore[no-untyped-def]
    """``place_of``, or None when finding it failed (the records store down): never raises."""
    try:
        return place_of(tracker)
    except Exception as exc:  # noqa: BLE001 - a place only sharpens the answer; it must not stop it
        log.warning("place not found (%s)", type(exc).__name__)
        return None


_LOOK_UP = object()


def count_triage(tracker, result: Any, inputs: dict[str, Any], place: Any = _LOOK_UP) -> int:  # type: ignore[no-untyped-def]
    """Add the triage to the week's syndromic counts; never raises. ``place``: the one the caller
    already found (None: there is none), else it is looked up here."""
    try:
        case = case_of(result, age=inputs.get("age"), sex=inputs.get("sex"), duration_days=inputs.get("duration_days"))
        where = place_of(tracker) if place is _LOOK_UP else place
        return log_case(case, where, channel_of(metadata(tracker)), "bot")
    except Exception as exc:  # noqa: BLE001 - the answer comes first
        log.warning("surveillance count skipped (%s)", type(exc).__name__)
        return 0
