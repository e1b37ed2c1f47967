"""Lab report lines -> test, value, unit, reference range and flag (low/high/normal/critical).

A row is recognised by its test name (exact alias, else fuzzy), then the first number after the name
is the value, a known unit spelling is the unit and the printed range is read in every form Indian
reports use: ``70 - 100``, ``70–100``, ``< 200``, ``> 40``, ``Up to 5.6``, ``M: 13-17 F: 12-15`` (the
patient's sex picks the pair), Indian digit grouping ``1,50,000``. The flag is computed from the printed
range when there is a believable one (``range_source = "printed"``), else from the built-in adult range
of ``data/labs/ranges.yml`` by age and sex (``range_source = "reference"``). Values outside physical plausibility are treated as OCR errors (a lost decimal point is
recovered when that makes the value plausible) rather than reported as alarming results; a plausible value
ten times the printed range's top, read with no decimal point on a row whose range has decimals, gets its
point back and says so (``note``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from config.paths import ROOT

RANGES_PATH = ROOT / "data" / "labs" / "ranges.yml"
NAMES_PATH = ROOT / "data" / "labs" / "display_names.tsv"
OTHER_TESTS_PATH = ROOT / "data" / "labs" / "other_tests.txt"
# More printed names of our tests, kept apart from ranges.yml: the generator draws on ranges.yml (its hash keys
# the document-type classifier's training), and a name only reports print needs no retraining.
MORE_ALIASES_PATH = ROOT / "data" / "labs" / "more_aliases.yml"
_NUM = r"(\d+(?:\.\d+)?)"
_RANGE_RE = re.compile(rf"{_NUM}\s*(?:-|–|—|~|to)\s*{_NUM}")
_UPPER_RE = re.compile(rf"(?:<=?|≤|upto|up\s*to|below|less\s+than)\s*{_NUM}", re.IGNORECASE)
_LOWER_RE = re.compile(rf"(?:>=?|≥|above|more\s+than|greater\s+than)\s*{_NUM}", re.IGNORECASE)
# "M: 13-17 F: 12-15", "Male 13 - 17 / Female 12 - 15": one range per sex
_SEXED_RE = re.compile(r"\b(m(?:ale)?|f(?:emale)?|men|women)\b\s*[:\-]?\s*([^a-z]*?)(?=\b(?:m(?:ale)?|f(?:emale)?|men|women)\b|$)",
                       re.IGNORECASE)
# "153. L": OCR's stray dot; "92mg/dL": a unit printed against the value
_GLUED_UNIT = r"(?=(?i:mg|gm?/|g%|mmol|meq|µ|ui|iu|ng|pg|fl\b|%|/))"
_VALUE_RE = re.compile(rf"(?<![\w.]){_NUM}\.?\s*(\*|H|L|High|Low)?(?:(?![\w.])|{_GLUED_UNIT})")


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
    range_source: str = "reference"  # "printed": the report's own range decided the flag; "reference": ours
    # What the reading changed, as the catalogue key the summary shows it with (``ocr_note_<note>``), e.g.
    # "decimal_restored"; ``read_as`` is the value as OCR read it ("18" for a restored 1.8).
    note: str = ""
    read_as: str = ""

    def to_contract(self) -> dict[str, Any]:
        data = asdict(self)
        for private in ("code", "label", "range_source", "note", "read_as"):
            data.pop(private)
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
def aliases() -> dict[str, list[str]]:
    """Test key -> the names reports print for it: ranges.yml's aliases, then ``MORE_ALIASES_PATH``'s."""
    more = yaml.safe_load(MORE_ALIASES_PATH.read_text(encoding="utf-8")) or {}
    return {key: list(spec["aliases"]) + list(more.get(key, [])) for key, spec in load_ranges().items()}


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    return {_norm(alias): key for key, names in aliases().items() for alias in names}


# Tesseract reads the "1" of a test name as i, l or I ("HbAic", "HbAlc" for HbA1c) and "0" as o: a label
# that matches no name as printed is compared with every alias once those look-alikes are made one.
_LOOKALIKES = str.maketrans({"1": "i", "l": "i", "0": "o"})


@lru_cache(maxsize=1)
def _folded_aliases() -> dict[str, str]:
    """Aliases with look-alike characters made one; a folded spelling two tests share is dropped (ambiguous)."""
    folded: dict[str, set[str]] = {}
    for alias, key in _aliases().items():
        folded.setdefault(alias.translate(_LOOKALIKES), set()).add(key)
    return {alias: next(iter(keys)) for alias, keys in folded.items() if len(keys) == 1}


@lru_cache(maxsize=1)
def _others() -> frozenset[str]:
    lines = OTHER_TESTS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(_norm(line) for line in lines if line.strip() and not line.startswith("#"))


def match_test(label: str) -> str | None:
    """The test key for a printed label ("Hemoglobin (Hb)" -> "haemoglobin"), or None. A label closer to
    one of the other tests reports print (``data/labs/other_tests.txt``: VLDL, MCH, Bilirubin Direct) is
    none of ours, however near its spelling."""
    aliases = _aliases()
    key = _norm(label)
    if not key:
        return None
    for candidate in (key, _norm(re.sub(r"\(.*?\)", " ", label))):
        if candidate in aliases:
            return aliases[candidate]
        if candidate in _others():
            return None
        if candidate.translate(_LOOKALIKES) in _folded_aliases():
            return _folded_aliases()[candidate.translate(_LOOKALIKES)]
    if len(key) < 4:
        return None
    choices = list(aliases) + sorted(_others())
    hit = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=85)
    return aliases.get(hit[0]) if hit else None


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


def _indian_number(text: str) -> str:
    """"1,50,000" and "11,800" -> "150000" and "11800" (digit grouping, never a decimal comma)."""
    return re.sub(r"(?<=\d),(?=\d{2,3}\b)", "", re.sub(r"(?<=\d),(?=\d{2},\d{3}\b)", "", text))


def parse_range(text: str, sex: str | None = None) -> tuple[float | None, float | None] | None:
    """The printed reference range in ``text`` as (low, high), a side None when open ("< 200", "> 40");
    None when ``text`` prints no range. For a range per sex, ``sex`` picks one (unknown sex: the span of both)."""
    text = _indian_number(text.replace("–", "-").replace("—", "-"))
    sexed = {}
    for m in _SEXED_RE.finditer(text):
        found = parse_range(m.group(2))
        if found and m.group(2).strip():
            sexed["f" if m.group(1).lower().startswith(("f", "w")) else "m"] = found
    if len(sexed) == 2:
        if sex in sexed:
            return sexed[sex]
        lows = [r[0] for r in sexed.values() if r[0] is not None]
        highs = [r[1] for r in sexed.values() if r[1] is not None]
        return (min(lows) if lows else None, max(highs) if highs else None)
    if m := _RANGE_RE.search(text):
        return float(m.group(1)), float(m.group(2))
    if m := _UPPER_RE.search(text):
        return None, float(m.group(1))
    if m := _LOWER_RE.search(text):
        return float(m.group(1)), None
    return None


def _printed_range(code: str, text: str, factor: float, sex: str | None = None) -> tuple[float | None, float | None]:
    """The report's own range, if it is believable: low < high and each printed side within a factor of 3
    of the built-in range (OCR turns "3.5 - 5.1" into "30 - 5", which must not decide the flag)."""
    found = parse_range(text, sex)
    if found is None:
        return None, None
    low, high = found
    ref_low, ref_high = reference_range(code)
    believable = low is None or high is None or low < high
    if believable and high is not None:
        believable = ref_high / 3 <= high * factor <= ref_high * 3
    if believable and low is not None and ref_low > 0:
        believable = ref_low / 3 <= low * factor <= ref_low * 3
    elif believable and low is not None and high is None:
        believable = low * factor <= ref_high  # "> 40" for HDL: a lower bound below the top of ours
    return (low, high) if believable else (None, None)


_DECIMAL_RE = re.compile(r"\d\.\d")
DECIMAL_RESTORED = "decimal_restored"  # LabResult.note: the value got back the point OCR dropped


def restore_decimal(value: float, value_text: str, low: float | None, high: float | None,
                    range_text: str) -> float | None:
    """The value with the decimal point OCR dropped ("18" read for a printed "1.8"), or None to keep it.

    Only on evidence from the row itself: the value was read with no point at all, the report prints this
    test's range with decimals (so it prints its values so too), the value is over ten times the range's
    top while a tenth of it lies near the range (above its top, at most three times it). A real value that
    far out is printed with its decimals too ("18.0"), which this never touches; and the restored value is
    still above the range, so a restored row is never called normal (creatinine "12" on a "0.6 - 1.2" row
    stays 12: a tenth of it would be normal)."""
    digits = value_text.strip()
    if not re.fullmatch(r"\d{2,}", digits) or high is None or not _DECIMAL_RE.search(range_text):
        return None
    tenth = value / 10
    if value > 10 * high and high < tenth <= 3 * high:
        return tenth
    return None


def make_result(code: str, label: str, value: float, unit_text: str, range_text: str, age: int | None,
                sex: str | None, value_text: str = "") -> LabResult | None:
    """A result from its parts (a table's cells or the rest of a line); None when the value is implausible.
    ``value_text``: the value as printed, to tell a dropped decimal point (:func:`restore_decimal`)."""
    unit, factor = _unit(code, unit_text)
    range_text = re.sub(r"(?<=\d):(?=\d)", ".", range_text)
    low, high = _printed_range(code, range_text, factor, sex)
    source, note, read_as = "printed", "", ""
    if low is None and high is None:
        low, high = reference_range(code, age, sex)
        low, high, source = low / factor, high / factor, "reference"
    elif (restored := restore_decimal(value, value_text, low, high, range_text)) is not None:
        note, read_as = DECIMAL_RESTORED, value_text.strip()
        value = restored
    fixed = _plausible(code, value, factor)
    if fixed is None:
        return None
    flag = compute_flag(code, fixed, low, high, factor)
    return LabResult(display_names().get(code, label), fixed, unit, low, high, flag, code, label, source, note,
                     read_as)


def _row(code: str, label: str, rest: str, age: int | None, sex: str | None) -> LabResult | None:
    m = _VALUE_RE.match(rest)
    if not m:
        return None
    after = rest[m.end():]
    return make_result(code, label, float(m.group(1)), after, after, age, sex, m.group(1))


def parse_line(line: str, age: int | None = None, sex: str | None = None) -> LabResult | None:
    """A lab result from one table row, or None if the row names no known test with a value.

    The label ends at the first number that leaves a recognisable test name before it and a
    plausible value at it; so "Vitamin B12 426" works, and so does OCR's "Vitamin 0 13" (D read as 0).
    """
    line = _indian_number(line)
    for m in _VALUE_RE.finditer(line):
        if m.start() == 0 or _inside_name(line, m.start(), m.end()):
            continue
        label = re.sub(r"[:|\[\]]+", " ", line[:m.start()]).strip()
        code = match_test(label)
        if code and (result := _row(code, label, line[m.start():], age, sex)):
            return result
    return None


def _inside_name(line: str, start: int, end: int) -> bool:
    """Whether the number at ``start:end`` is part of the test's name in brackets ("Vitamin D (25-OH)",
    "Glucose (PP 2 hrs)"): a bracket opened before it is closed just after it, so it is no value."""
    before = line[:start]
    return before.count("(") > before.count(")") and ")" in line[end:end + 8].split("  ")[0]


def parse_labs(text: str, age: int | None = None, sex: str | None = None) -> list[LabResult]:
    """Every recognisable result row in a report's text, in order."""
    results = []
    for line in text.splitlines():
        result = parse_line(line.strip(), age, sex)
        if result:
            results.append(result)
    return results


_SEX_WORDS = {"m": "m", "male": "m", "man": "m", "f": "f", "female": "f", "woman": "f", "पुरुष": "m", "स्त्री": "f",
              "महिला": "f", "ਪੁਰਸ਼": "m", "ਮਰਦ": "m", "ਇਸਤਰੀ": "f", "ਔਰਤ": "f", "ਮਹਿਲਾ": "f"}
_SEX_ALT = "|".join(sorted(map(re.escape, _SEX_WORDS), key=len, reverse=True))
# "Age/Sex: 29 Years / Female", "Age / Gender : 34 / F", "55/M", "Sex: F", "लिंग: स्त्री", "ਲਿੰਗ: M"
_AGE_SEX_RE = re.compile(rf"(?<![\d/.])(\d{{1,3}})\s*(?:y(?:ea)?rs?\.?|y\b)?\s*[/,]\s*({_SEX_ALT})(?![\w\u0900-\u0A7F])",
                         re.IGNORECASE)
_SEX_RE = re.compile(rf"(?:sex|gender|लिंग|ਲਿੰਗ)\s*[:\-]?\s*({_SEX_ALT})(?![\w\u0900-\u0A7F])", re.IGNORECASE)
_AGE_RE = re.compile(r"(?:age|आयु|उम्र|ਉਮਰ)\s*[:\-]?\s*(\d{1,3})(?!\d)", re.IGNORECASE)


def patient(text: str) -> tuple[int | None, str | None]:
    """(age, sex) printed in a report's header, either None when not found; used to pick sex-specific ranges."""
    age = sex = None
    if m := _AGE_SEX_RE.search(text):
        age, sex = int(m.group(1)), _SEX_WORDS[m.group(2).lower()]
    if sex is None and (m := re.search(rf"(?:age|आयु|उम्र|ਉਮਰ)\s*[:\-]?\s*(\d{{1,3}})\s*(?:y(?:ea)?rs?\.?)?\s+({_SEX_ALT})"
                                       r"(?![\w\u0900-\u0A7F])", text, re.IGNORECASE)):
        age, sex = int(m.group(1)), _SEX_WORDS[m.group(2).lower()]
    if sex is None and (m := _SEX_RE.search(text)):
        sex = _SEX_WORDS[m.group(1).lower()]
    if age is None and (m := _AGE_RE.search(text)):
        age = int(m.group(1))
    return (age if age is not None and age <= 120 else None), sex
