"""When to send: dose times from prescription patterns, quiet hours, retry backoff — in IST.

Plain functions of dates and times so they are tested without any clock or queue.
"""

from __future__ import annotations

import datetime as dt
import re

from config.timezone import IST

#: The patient's chosen times for each slot of a dose pattern (changeable per patient).
DEFAULT_TIMES = {"morning": dt.time(8, 0), "noon": dt.time(14, 0), "evening": dt.time(18, 0),
                 "night": dt.time(21, 0)}
SLOTS = {3: ("morning", "noon", "night"), 4: ("morning", "noon", "evening", "night")}


def dose_slots(pattern: str) -> list[str]:
    """'1-0-1' -> ['morning', 'night']; '1-1-1-1' uses four slots; '½-0-1' counts any dose."""
    parts = [p for p in re.split(r"[-\s/]+", pattern.strip()) if p]
    names = SLOTS.get(len(parts))
    # every part is a dose (a digit in any script, or ½/¼): "after each loose stool" is not a pattern
    if names is None or not all(re.fullmatch(r"[\d½¼]+(?:\.\d+)?", p) for p in parts):
        raise ValueError(f"dose pattern must be 3 or 4 doses like 1-0-1: {pattern!r}")
    return [name for name, part in zip(names, parts, strict=True) if part not in {"0", "०", "੦"}]


def medicine_times(pattern: str, start: dt.date, days: int, times: dict[str, dt.time] | None = None,
                   now: dt.datetime | None = None) -> list[dt.datetime]:
    """Every dose reminder (UTC) for ``days`` days from ``start`` at the patient's IST times."""
    chosen = {**DEFAULT_TIMES, **(times or {})}
    slots = dose_slots(pattern)
    moments = [dt.datetime.combine(start + dt.timedelta(days=d), chosen[s], IST).astimezone(dt.timezone.utc)
               for d in range(days) for s in slots]
    return [m for m in moments if now is None or m > now]


def at_ist(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), IST).astimezone(dt.timezone.utc)


def in_quiet_hours(when: dt.datetime, start: int, end: int) -> bool:
    """Quiet from ``start`` o'clock to ``end`` o'clock IST (wrapping midnight when start > end)."""
    hour = when.astimezone(IST).hour
    return start <= hour or hour < end if start > end else start <= hour < end


def after_quiet_hours(when: dt.datetime, start: int, end: int) -> dt.datetime:
    """``when``, or the end of the quiet hours it falls in (the next morning at ``end`` o'clock)."""
    if not in_quiet_hours(when, start, end):
        return when
    local = when.astimezone(IST)
    day = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return at_ist(day, end)


def backoff(attempt: int, base_seconds: int = 60, cap_seconds: int = 3600) -> dt.timedelta:
    """1, 2, 4 … minutes after the first, second, third failure, at most an hour."""
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1)))
