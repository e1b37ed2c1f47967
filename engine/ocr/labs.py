"""Lab report lines -> test, value, unit, reference range and flag (low/high/normal/critical).

A row is recognised by its test name (exact alias, else fuzzy), then the first number after the name
is the value, a known unit spelling is the unit and "a - b" (or "< b") is the printed range. When the
report prints no range, the built-in adult range from ``data/labs/ranges.yml`` (by age and sex) is
used. Values outside physical plausibility are treated as OCR errors (a lost decimal point is
recovered when that makes the value plausible) rather than reported as alarming results.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from saathi import ROOT

RANGES_PATH = ROOT / "data" / "labs" / "ranges.yml"
NAMES_PATH = ROOT / "data" / "labs" / "display_names.tsv"
_NUM = r"(\d+(?:\.\d+)?)"
_RANGE_RE = re.compile(rf"{_NUM}\s*(?:-|–|—|to)\s*{_NUM}")
_UPPER_RE = re.compile(rf"(?:<|upto|up to)\s*{_NUM}", re.IGNORECASE)
_VALUE_RE = re.compile(rf"(?<![\w.]){_NUM}\.?\s*(\*|H|L|High|Low)?(?![\w.])")  # "153. L": OCR's stray dot


@dataclass
class LabResult:
    """One row of a lab report in the contract's shape; ``test`` is the standard English name of the test
    (the report's own label, possibly garbled by OCR, is kept in ``label``)."""

    test: str
    value: float
    unit: str | None
    ref_low: float | None
    ref_high: float | None
    flag: str
    code: str = ""
    label: str = ""

    def to_contract(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("code")
        data.pop("label")
        return data


@lru_cache(maxsize=1)
def display_names() -> dict[str, str]:
    rows = [line.split("\t") for line in NAMES_PATH.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    return {code: name for code, name in rows[1:]}


@lru_cache(maxsize=1)
def load_ranges() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(RANGES_PATH.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9%]+", " ", text.lower())).strip()


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    return {_norm(alias): key for key, spec in load_ranges().items() for alias in spec["aliases"]}


def match_test(label: str) -> str | None:
    """The test key for a printed label ("Hemoglobin (Hb)" -> "haemoglobin"), or None."""
    aliases = _aliases()
    key = _norm(label)
    if not key:
        return None
    for candidate in (key, _norm(re.sub(r"\(.*?\)", " ", label))):
        if candidate in aliases:
            return aliases[candidate]
    if len(key) < 4:
        return None
    hit = process.extractOne(key, list(aliases), scorer=fuzz.ratio, score_cutoff=85)
    return aliases[hit[0]] if hit else None


def reference_range(code: str, age: int | None = None, sex: str | None = None) -> tuple[float, float]:
    """The built-in range for an adult (or child) of ``sex``; the first matching row wins."""
    spec = load_ranges()[code]
    for row in spec["ranges"]:
        if row["sex"] not in (sex, "any"):
            continue
        if age is not None and not (row.get("min_age", 0) <= age <= row.get("max_age", 200)):
            continue
        if age is None and "max_age" in row:
            continue
        return float(row["low"]), float(row["high"])
    row = spec["ranges"][-1]
    return float(row["low"]), float(row["high"])


def compute_flag(code: str, value: float, low: float | None, high: float | None, factor: float = 1.0) -> str:
    """critical (beyond the same-day thresholds, canonical units) > low/high (vs the range) > normal."""
    spec = load_ranges()[code]
    canonical = value * factor
    if "critical_low" in spec and canonical < spec["critical_low"]:
        return "critical"
    if "critical_high" in spec and canonical > spec["critical_high"]:
        return "critical"
    if low is not None and value < low:
        return "low"
    if high is not None and value > high and not spec.get("high_is_normal"):
        return "high"
    return "normal"


def _unit(code: str, text: str) -> tuple[str | None, float]:
    """The first known unit spelling for ``code`` in ``text`` and its factor to the canonical unit."""
    spec = load_ranges()[code]
    compact = text.lower().replace(" ", "").replace("μ", "u").replace("µ", "u")
    best: tuple[int, str, float] | None = None
    for spelling, factor in spec["units"].items():
        key = spelling.replace(" ", "").replace("µ", "u")
        pos = compact.find(key)
        if pos >= 0 and (best is None or (pos, -len(key)) < (best[0], -len(best[1]))):
            best = (pos, spelling, float(factor))
    if best is None:
        return None, 1.0
    return (spec["unit"] if best[2] == 1 else best[1]), best[2]


def _plausible(code: str, value: float, factor: float) -> float | None:
    lo, hi = load_ranges()[code]["plausible"]
    for candidate in (value, value / 10, value / 100):
        if lo <= candidate * factor <= hi:
            return candidate
    return None


def _printed_range(code: str, text: str, factor: float) -> tuple[float | None, float | None]:
    """The report's own range, if it is believable: low < high and within a factor of 3 of the built-in
    range (OCR turns "3.5 - 5.1" into "30 - 5", which must not decide the flag)."""
    m = _RANGE_RE.search(text)
    if m:
        low, high = float(m.group(1)), float(m.group(2))
    elif (upper := _UPPER_RE.search(text)) is not None:
        low, high = 0.0, float(upper.group(1))
    else:
        return None, None
    ref_low, ref_high = reference_range(code)
    believable = low < high and ref_high / 3 <= high * factor <= ref_high * 3
    if believable and ref_low > 0:
        believable = ref_low / 3 <= low * factor <= ref_low * 3
    return (low, high) if believable else (None, None)


def _row(code: str, label: str, rest: str, age: int | None, sex: str | None) -> LabResult | None:
    m = _VALUE_RE.match(rest)
    if not m:
        return None
    value = float(m.group(1))
    after = rest[m.end():]
    unit, factor = _unit(code, after)
    low, high = _printed_range(code, re.sub(r"(?<=\d):(?=\d)", ".", after), factor)
    if low is None:
        low, high = reference_range(code, age, sex)
        low, high = low / factor, high / factor
    fixed = _plausible(code, value, factor)
    if fixed is None:
        return None
    flag = compute_flag(code, fixed, low, high, factor)
    return LabResult(display_names().get(code, label), fixed, unit, low, high, flag, code, label)


def parse_line(line: str, age: int | None = None, sex: str | None = None) -> LabResult | None:
    """A lab result from one table row, or None if the row names no known test with a value.

    The label ends at the first number that leaves a recognisable test name before it and a
    plausible value at it; so "Vitamin B12 426" works, and so does OCR's "Vitamin 0 13" (D read as 0).
    """
    line = re.sub(r"(?<=\d),(?=\d{3})", "", line)
    for m in _VALUE_RE.finditer(line):
        if m.start() == 0:
            continue
        label = re.sub(r"[:|\[\]]+", " ", line[:m.start()]).strip()
        code = match_test(label)
        if code and (result := _row(code, label, line[m.start():], age, sex)):
            return result
    return None


def parse_labs(text: str, age: int | None = None, sex: str | None = None) -> list[LabResult]:
    """Every recognisable result row in a report's text, in order."""
    results = []
    for line in text.splitlines():
        result = parse_line(line.strip(), age, sex)
        if result:
            results.append(result)
    return results
