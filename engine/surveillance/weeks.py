"""ISO weeks as the surveillance engine counts them.

IDSP reports by epidemiological week, Monday to Sunday: the ISO 8601 week (``2026-W14``), which is
what the contract's ``week`` field holds. Inside the engine a week is an integer, the number of whole
weeks since 0001-01-01 (a Monday), so "the week before" is ``w - 1`` across year ends and 53-week
years alike. Dates become weeks through the ``epiweeks`` package (ISO system), so a week boundary
is never hand-computed in two places.
"""

from __future__ import annotations

import datetime as dt
import re

from epiweeks import Week

_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")


def parse_week(text: str) -> int:
    """``"2026-W14"`` as a week number; ValueError for anything else (including W53 of a
    52-week year, which does not exist)."""
    match = _WEEK.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"week must be an ISO week like 2026-W14, not {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{text} is not a week of {year}") from None
    return (monday.toordinal() - 1) // 7


def monday_of(week: int) -> dt.date:
    """The Monday that starts week number ``week``."""
    return dt.date.fromordinal(week * 7 + 1)


def format_week(week: int) -> str:
    """A week number as ``YYYY-Www``."""
    year, number, _ = monday_of(week).isocalendar()
    return f"{year:04d}-W{number:02d}"


def week_of(day: dt.date) -> int:
    """The week number of the ISO (Monday-Sunday) epi week containing ``day``."""
    return (Week.fromdate(day, system="iso").startdate().toordinal() - 1) // 7


def week_label(day: dt.date) -> str:
    """``day``'s epi week as ``YYYY-Www`` (what an event row and the contract store)."""
    epi = Week.fromdate(day, system="iso")
    return f"{epi.year:04d}-W{epi.week:02d}"
