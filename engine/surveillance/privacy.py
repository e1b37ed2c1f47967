"""Small-cell suppression for every count that leaves the system (tables, charts, exports).

A count of 1 to 4 cases in a cell (a block or village, a syndrome, a week) could point at a family,
so it is shown as ``"< 5"`` (primary suppression). Zero is shown: it describes no one. Where the
total of a line of cells is shown too (the district's total of a syndrome in a week, over its
blocks; a block's total over its villages), one hidden cell could be worked out by subtraction, so
more cells of the line are hidden (complementary suppression, smallest first, shown as ``"–"``)
until no hidden cell has a single possible value given the total, the shown cells and what the marks
say (``"< 5"``: 1-4; ``"–"``: 5 or more). If that cannot be reached, the total is hidden instead.

Every output reads counts through :func:`suppress_line` (or :func:`shown`), so a page, a chart and an
export agree and none reveals what another hides.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

SMALL = 5
PRIMARY = "< 5"
SECONDARY = "–"


def approx(value: float) -> str:
    """An expected count or threshold (a moving mean of counts) as shown: ``"< 5"`` below 5, else
    whole cases — an exact mean times the baseline length would be the sum of the baseline weeks,
    and with the weeks shown beside it that sum would give a hidden week away."""
    return PRIMARY if value < SMALL else str(round(value))


def shown(count: int) -> str:
    """One count on its own (no total beside it): ``"< 5"`` for 1-4."""
    return PRIMARY if 0 < count < SMALL else str(count)


@dataclass(frozen=True)
class Line:
    """A suppressed line: each cell's text, and the total's (None when the total must be hidden)."""

    cells: dict[Hashable, str]
    total: str | None


def _ranges(hidden: dict[Hashable, str], rest: int) -> dict[Hashable, tuple[int, int]]:
    """The possible values of each hidden cell, knowing their sum is ``rest``."""
    own = {k: (1, SMALL - 1) if mark == PRIMARY else (SMALL, rest) for k, mark in hidden.items()}
    out = {}
    for key, (lo, hi) in own.items():
        others_lo = sum(v[0] for k, v in own.items() if k != key)
        others_hi = sum(v[1] for k, v in own.items() if k != key)
        out[key] = (max(lo, rest - others_hi), min(hi, rest - others_lo))
    return out


def recoverable(hidden: Mapping[Hashable, str], rest: int) -> bool:
    """True when some hidden cell has exactly one possible value (what an attacker would look for)."""
    return any(lo == hi for lo, hi in _ranges(dict(hidden), rest).values())


def suppress_line(counts: Mapping[Hashable, int], with_total: bool = True) -> Line:
    """Suppress one line of cells whose total is shown (``with_total``) or not."""
    cells = {k: shown(v) for k, v in counts.items()}
    total = sum(counts.values())
    if not with_total:
        return Line(cells, None)
    hidden = {k: mark for k, mark in cells.items() if mark == PRIMARY}
    while hidden and recoverable(hidden, sum(counts[k] for k in hidden)):
        candidates = sorted((v, str(k), k) for k, v in counts.items() if k not in hidden and v > 0)
        if not candidates:
            return Line(cells, None)
        key = candidates[0][2]
        hidden[key] = SECONDARY
        cells[key] = SECONDARY
    return Line(cells, str(total))
