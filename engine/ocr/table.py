"""Lab tables rebuilt from Tesseract's word boxes: rows by baseline, columns by x, header words name them.

A report's header row ("Test  Result  Unit  Reference Range", "जाँच  परिणाम  इकाई  सामान्य सीमा",
"ਟੈਸਟ  ਨਤੀਜਾ  ਇਕਾਈ  ਹਵਾਲਾ ਸੀਮਾ") fixes where each column starts; every later row's words are put
in the column they stand under, so a value is never taken from the range column and a printed flag
column ("H", "L", "*") or a methods column ("PHOTOMETRY") cannot shift the cells. Rows outside a
table (no header above them) and rows whose cells do not parse fall back to the line parser of
:mod:`engine.ocr.labs`, which reads the same row as text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from statistics import median

from engine.ocr.labs import LabResult, make_result, match_test, parse_line
from engine.ocr.layout import Word

# Header words -> column role; checked in this order, so "Normal Values" is a range, not a value. Indic words
# are written as :func:`_fold` leaves them (no nukta, addak or chandrabindu), as OCR's spellings vary there.
_ROLES_WRITTEN: list[tuple[str, set[str]]] = [
    ("range", {"reference", "ref", "ref.", "range", "normal", "biological", "interval", "limits", "सीमा", "सामान्य",
               "संदर्भ", "सन्दर्भ", "मानक", "ਸੀਮਾ", "ਹਵਾਲਾ", "ਆਮ", "ਸਧਾਰਨ", "ਸਾਧਾਰਨ", "ਮਿਆਰੀ"}),
    ("unit", {"unit", "units", "uom", "इकाई", "इकाइयाँ", "यूनिट", "ਇਕਾਈ", "ਇਕਾਈਆਂ", "ਯੂਨਿਟ"}),
    ("flag", {"flag", "flags"}),
    ("method", {"method", "technology", "technique", "specimen", "sample", "विधि", "नमूना", "ਵਿਧੀ", "ਨਮੂਨਾ"}),
    ("value", {"result", "results", "value", "values", "observed", "observation", "finding", "परिणाम", "नतीजा",
               "रिज़ल्ट", "रिजल्ट", "मान", "मूल्य", "ਨਤੀਜਾ", "ਨਤੀਜੇ", "ਮੁੱਲ", "ਮਾਨ", "ਰਿਜ਼ਲਟ"}),
    ("name", {"test", "tests", "investigation", "investigations", "parameter", "parameters", "description", "name",
              "examination", "जाँच", "जांच", "परीक्षण", "परीक्षा", "ਟੈਸਟ", "ਜਾਂਚ", "ਜਾਂਚਾਂ", "ਪਰੀਖਣ"}),
]
_FOLD = {ord(c): None for c in "\u093c\u0a3c\u0a71"} | {0x0901: 0x0902, 0x0A70: 0x0A02}


def _fold(text: str) -> str:
    """Indic spellings OCR varies on made one: nukta, Gurmukhi addak dropped; chandrabindu and tippi as the
    plain nasal dot ("जाँच" = "जांच", "ਮੁੱਲ" = "ਮੁਲ", "रिज़ल्ट" = "रिजल्ट", "ਸ਼" = "ਸ")."""
    return unicodedata.normalize("NFD", text).translate(_FOLD)


_ROLES = [(role, {_fold(w) for w in words}) for role, words in _ROLES_WRITTEN]
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:,\d{2,3})*(?:\.\d+)?)")
_FLAG = re.compile(r"^(?:H|L|High|Low|\*+|HH|LL)$", re.IGNORECASE)


@dataclass
class Column:
    role: str
    left: int


def _word_key(text: str) -> str:
    return _fold(re.sub(r"[^\w\u0900-\u0A7F.]+", "", text).lower().rstrip(".") or text.lower())


def _cells(row: list[Word]) -> list[list[Word]]:
    """Words split into cells where the gap is wider than about two characters."""
    char_w = median(w.width / max(len(w.text), 1) for w in row)
    cells = [[row[0]]]
    for prev, word in zip(row, row[1:], strict=False):
        if word.left - (prev.left + prev.width) > 2.2 * char_w:
            cells.append([word])
        else:
            cells[-1].append(word)
    return cells


def header_columns(row: list[Word]) -> list[Column] | None:
    """The columns a header row names, or None when the row is no table header."""
    columns: list[Column] = []
    for cell in _cells(row):
        keys = {_word_key(w.text) for w in cell}
        role = next((r for r, words in _ROLES if keys & words), None)
        if role and not any(c.role == role for c in columns):
            columns.append(Column(role, cell[0].left))
    roles = {c.role for c in columns}
    if "value" in roles and len(roles & {"name", "unit", "range", "flag"}) >= 1 and len(columns) >= 3:
        if "name" not in roles:  # the first column is the test's name whatever its header says
            columns.insert(0, Column("name", min(w.left for w in row) - 1))
        return sorted(columns, key=lambda c: c.left)
    return None


def _split(row: list[Word], columns: list[Column]) -> dict[str, str]:
    """The row's text per column role: a word belongs to the last column starting left of its middle
    (numbers are often centred or right-aligned under their header)."""
    char_w = median(w.width / max(len(w.text), 1) for w in row)
    cells: dict[str, list[str]] = {}
    for word in row:
        anchor = word.left + min(word.width / 2, 2 * char_w)
        column = columns[0]
        for candidate in columns:
            if candidate.left <= anchor + char_w:
                column = candidate
        cells.setdefault(column.role, []).append(word.text)
    return {role: " ".join(texts) for role, texts in cells.items()}


def _test_code(label: str) -> str | None:
    """The test named by a cell; a label in Hindi/Punjabi with the English name in brackets counts too."""
    code = match_test(label)
    if code:
        return code
    for inner in re.findall(r"\(([^)]+)\)", label):
        if code := match_test(inner):
            return code
    latin = " ".join(re.findall(r"[A-Za-z][A-Za-z0-9\-]*", label))
    return match_test(latin) if latin and latin != label else None


def row_result(cells: dict[str, str], age: int | None, sex: str | None) -> LabResult | None:
    label = cells.get("name", "").strip(" :|")
    code = _test_code(label) if label else None
    value_text = cells.get("value", "")
    m = _NUMBER.search(value_text)
    if not code or not m:
        return None
    value = float(m.group(1).replace(",", ""))
    rest = value_text[m.end():]
    unit_text = " ".join(t for t in (rest, cells.get("unit", "")) if t)
    return make_result(code, label, value, unit_text, cells.get("range", ""), age, sex, m.group(1))


def parse_rows(rows: list[list[Word]], age: int | None = None, sex: str | None = None) -> list[LabResult]:
    """Every lab result in a page's rows, in order, each test once: table cells where a header names the
    columns, else (and where the cells do not parse) the row's text through the line parser."""
    results: list[LabResult] = []
    seen: set[str] = set()
    columns: list[Column] | None = None
    for row in rows:
        if not row:
            continue
        if found := header_columns(row):
            columns = found
            continue
        result = row_result(_split(row, columns), age, sex) if columns else None
        if result is None:
            result = parse_line(" ".join(w.text for w in row).strip(), age, sex)
        if result and result.code not in seen:
            seen.add(result.code)
            results.append(result)
    return results


def is_flag(text: str) -> bool:
    return bool(_FLAG.match(text.strip()))
