"""What the case page's forms show: the saved values, or after a refusal everything as it was typed.

The notes and prescription forms never lose input: when the service refuses a value
(:class:`engine.handoff.errors.InputError`), the view renders the case page again from the posted
form with the reason next to the field, instead of redirecting to the saved state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import zip_longest
from typing import Any

from config.timezone import IST
from engine.handoff.errors import InputError

SOAP = ("subjective", "objective", "assessment", "plan")
RX_FIELDS = ("generic", "dose", "frequency", "days", "instructions")
BLANK_ROW = {"generic": "", "dose": "", "frequency": "", "days": "5", "instructions": ""}


def parse_date(raw: str | None, field: str = "follow_up") -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise InputError("portal_bad_date", field) from exc


def parse_age(raw: str | None) -> float | None:
    """The age the doctor confirmed on the prescription form, in years ("4", "0.5"); empty: unknown."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        age = float(raw)
    except ValueError as exc:
        raise InputError("rx_age_bad", "age") from exc
    if not 0 <= age <= 120:
        raise InputError("rx_age_bad", "age")
    return age


def rx_safety(form: Any) -> dict[str, Any]:
    """The prescription form's medicine-check fields: the patient's age and pregnancy as the doctor
    confirms them, the warnings the page showed (``seen``), an override and its reason."""
    return {"age": parse_age(form.get("age")), "pregnant": form.get("pregnant") == "yes",
            "seen": frozenset(form.getlist("seen")), "override": form.get("override") == "yes",
            "reason": form.get("override_reason", "")}


def notes_values(saved: Mapping[str, Any] | None, words: str, typed: Mapping[str, str] | None = None) -> dict[str, str]:
    """The notes form: typed values if given, else the saved notes (Subjective starts as the patient's words)."""
    if typed is not None:
        return {k: typed.get(k, "") for k in (*SOAP, "diagnosis", "follow_up")}
    saved = saved or {}
    soap = saved.get("soap") or {}
    values = {k: soap.get(k) or "" for k in SOAP}
    values["subjective"] = values["subjective"] or words
    values["diagnosis"] = (saved.get("diagnosis") or {}).get("code") or ""
    values["follow_up"] = saved.get("follow_up") or ""
    return values


def rx_rows(typed: Any | None = None) -> list[dict[str, str]]:
    """The prescription rows: as typed (a MultiDict of parallel lists), else one blank row."""
    if typed is None:
        return [dict(BLANK_ROW)]
    columns = [typed.getlist(k) for k in RX_FIELDS]
    rows = [dict(zip(RX_FIELDS, values, strict=True)) for values in zip_longest(*columns, fillvalue="")]
    return [r for r in rows if any((r.get(k) or "").strip() for k in ("generic", "dose", "frequency", "instructions"))] \
        or [dict(BLANK_ROW)]


def prescription_items(form: Any) -> list[dict[str, Any]]:
    """Rows of the builder form: parallel lists generic[], dose[], frequency[], days[], instructions[]."""
    return [{"generic": r["generic"], "dose": r.get("dose", ""), "frequency": r.get("frequency", ""),
             "duration_days": r.get("days") or 0, "instructions": r.get("instructions", "")}
            for r in rx_rows(form) if (r.get("generic") or "").strip()]


def slot_block(form: Mapping[str, str]) -> tuple[dt.datetime, dt.datetime, int]:
    """(start, end, slot minutes) of the availability form: a day and two times in India time."""
    try:
        day = dt.date.fromisoformat(form["day"])
        start = dt.datetime.combine(day, dt.time.fromisoformat(form["start"]), IST)
        end = dt.datetime.combine(day, dt.time.fromisoformat(form["end"]), IST)
        minutes = int(form.get("minutes") or 15)
    except (KeyError, ValueError) as exc:
        raise InputError("portal_slot_bad_time", "day") from exc
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc), minutes
