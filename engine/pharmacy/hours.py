"""Opening hours: "09:00-21:00", several ranges "09:00-13:00,17:00-21:00", "00:00-24:00" (24 h).

Times are India Standard Time; ranges past midnight ("20:00-02:00") are allowed for night shops.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from config.timezone import IST


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.strip().partition(":")
    return int(hours) * 60 + int(minutes or 0)


@lru_cache(maxsize=1024)
def ranges(hours: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in (hours or "").split(","):
        if "-" in part:
            start, end = part.split("-", 1)
            out.append((_minutes(start), _minutes(end)))
    return tuple(out)


def minute_of_day(now: dt.datetime) -> int:
    local = now.astimezone(IST)
    return local.hour * 60 + local.minute


@lru_cache(maxsize=4096)
def open_at(hours: str, minute: int) -> bool:
    """Open at ``minute`` past midnight IST (cached: a search asks this for hundreds of shops)."""
    for start, end in ranges(hours):
        if (start <= minute < end) if start <= end else (minute >= start or minute < end):
            return True
    return False


def opens_at(hours: str, now: dt.datetime) -> str:
    """The next opening time today or tomorrow as "HH:MM" (for "closed now, opens 09:00")."""
    minute = minute_of_day(now)
    starts = sorted(start for start, _ in ranges(hours))
    if not starts:
        return ""
    nxt = next((s for s in starts if s > minute), starts[0])
    return f"{nxt // 60:02d}:{nxt % 60:02d}"
