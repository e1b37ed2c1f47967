"""What the surveillance pages and the S-form exports show, already suppressed (plain Python).

Every number here went through :mod:`engine.surveillance.privacy`: per week and syndrome, a
district's blocks form one line whose total (the district's count) is shown; a block's villages form
one line whose total (the block's count) is shown. Trend charts show the same cells; their expected
band is drawn at 5-case resolution where the series has a hidden week, because the EARS expected
count is a moving mean and consecutive exact means would give a hidden week away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.surveillance.detect import DEFAULT_METHOD, evaluate
from engine.surveillance.events import weekly_counts
from engine.surveillance.places import blocks, places
from engine.surveillance.privacy import PRIMARY, SECONDARY, SMALL, suppress_line
from engine.surveillance.syndromes import codes
from engine.surveillance.weeks import format_week, parse_week

CHART_WEEKS = 52


@dataclass
class Table:
    """Rows (area code, area name) x syndromes of suppressed texts, the line totals, alert marks."""

    week: str
    rows: list[tuple[str, str]]
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    totals: dict[str, str] = field(default_factory=dict)
    alerts: set[tuple[str, str]] = field(default_factory=set)


def _counts(url: str, district: str, by: str, since: str, until: str) -> dict[tuple[str, str, str], int]:
    return {(w, a, s): c for w, a, s, c in weekly_counts(url, since=since, until=until, district=district, by=by)}


def _areas(district: str, block: str | None) -> list[tuple[str, str]]:
    """(code, name) of the district's blocks, or of one block's villages."""
    if block is None:
        return [(code, name) for code, (name, d, _) in blocks().items() if d == district]
    return [(p.village, p.village) for p in places() if p.block_code == block]


def table(url: str, district: str, week: str, block: str | None = None,
          alert_keys: set[tuple[str, str]] | None = None) -> Table:
    """This week's counts of the district's blocks (or of one block's villages), suppressed per
    syndrome line against the shown total."""
    areas = _areas(district, block)
    counts = _counts(url, district, "village" if block else "block", week, week)
    out = Table(week, areas, alerts=alert_keys or set())
    for syndrome in codes():
        line = suppress_line({code: counts.get((week, code, syndrome), 0) for code, _ in areas})
        for code, _ in areas:
            out.cells[(code, syndrome)] = line.cells[code]
        out.totals[syndrome] = line.total if line.total is not None else SECONDARY
    return out


@dataclass
class Point:
    week: str
    text: str                 # the count as shown ("12", "< 5", "–")
    value: int | None         # plotted value (None: hidden)
    expected: float | None    # band (rounded to 5 cases where the series has hidden weeks)
    threshold: float | None
    alert: bool


def series(url: str, district: str, syndrome: str, until: str, area: str | None = None,
           weeks: int = CHART_WEEKS) -> list[Point]:
    """The weekly trend of one syndrome in the district (``area`` None) or one of its blocks, as
    shown: each week's block value is the cell of that week's suppressed line over the blocks."""
    last = parse_week(until)
    history = weeks + 12  # the detection baseline before the first plotted week
    since = format_week(last - history + 1)
    counts = _counts(url, district, "block", since, until)
    codes_ = [code for code, _ in _areas(district, None)]
    raw, texts = [], []
    for offset in range(history):
        week = format_week(last - history + 1 + offset)
        line = suppress_line({c: counts.get((week, c, syndrome), 0) for c in codes_})
        if area is None:
            raw.append(sum(counts.get((week, c, syndrome), 0) for c in codes_))
            texts.append(line.total if line.total is not None else SECONDARY)
        else:
            raw.append(counts.get((week, area, syndrome), 0))
            texts.append(line.cells.get(area, "0"))
    checks = evaluate(raw, DEFAULT_METHOD)
    coarse = any(t in (PRIMARY, SECONDARY) for t in texts[-weeks:])
    points = []
    for offset in range(history - weeks, history):
        check, text = checks[offset], texts[offset]
        hidden = text in (PRIMARY, SECONDARY)
        points.append(Point(format_week(last - history + 1 + offset), text, None if hidden else raw[offset],
                            _band(check.expected, coarse), _band(check.threshold, coarse),
                            check.alert and not hidden))
    return points


def _band(value: float | None, coarse: bool) -> float | None:
    if value is None:
        return None
    return float(math.ceil(value / SMALL) * SMALL) if coarse else round(value, 1)
