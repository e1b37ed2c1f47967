"""Rebuild text lines from Tesseract's word boxes so table rows stay together.

Tesseract's own reading order can put a table's columns one after another; grouping words whose
vertical centres fall in the same band restores each row ("Haemoglobin 9.8 g/dL 12-15.5"), with a
wide gap rendered as several spaces so columns stay visibly apart. On a photo taken a few degrees off
straight a row climbs or falls across the page, so the band follows the text's slope, measured from
the lines Tesseract itself found (words it put on one line), before rows are cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: int = -1  # Tesseract's line (block, paragraph, line) as one number; -1 when unknown

    @property
    def centre(self) -> float:
        return self.top + self.height / 2


def words_from_data(data: dict[str, list]) -> list[Word]:
    """Words with text from ``pytesseract.image_to_data(..., output_type=DICT)``."""
    words = []
    keys = ("block_num", "par_num", "line_num")
    has_lines = all(k in data for k in keys)
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if text and conf >= 0:
            line = (int(data["block_num"][i]) * 1000 + int(data["par_num"][i])) * 1000 + int(data["line_num"][i]) \
                if has_lines else -1
            words.append(Word(text, data["left"][i], data["top"][i], data["width"][i], data["height"][i], conf, line))
    return words


def text_slope(words: list[Word]) -> float:
    """The text's slope (dy/dx) from Tesseract's lines: the median over lines of two or more words of the
    slope between their first and last word's centres; 0 when no line tells."""
    lines: dict[int, list[Word]] = {}
    for w in words:
        if w.line >= 0:
            lines.setdefault(w.line, []).append(w)
    slopes = []
    for members in lines.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda w: w.left)
        first, last = members[0], members[-1]
        dx = (last.left + last.width / 2) - (first.left + first.width / 2)
        if dx > 4 * median(w.height for w in members):
            slopes.append((last.centre - first.centre) / dx)
    return float(median(slopes)) if slopes else 0.0


def group_rows(words: list[Word]) -> list[list[Word]]:
    """Rows of words, top to bottom; a word joins a row when its centre lies within the row's band."""
    if not words:
        return []
    typical = median(w.height for w in words)
    slope = max(-0.25, min(0.25, text_slope(words)))

    def level(w: Word) -> float:  # the centre moved to x = 0 along the text's slope
        return w.centre - slope * (w.left + w.width / 2)

    rows: list[list[Word]] = []
    centres: list[float] = []
    for word in sorted(words, key=level):
        if centres and abs(level(word) - centres[-1]) <= 0.5 * typical:
            rows[-1].append(word)
            centres[-1] = sum(level(w) for w in rows[-1]) / len(rows[-1])
        else:
            rows.append([word])
            centres.append(level(word))
    return [sorted(row, key=lambda w: w.left) for row in rows]


def rows_to_text(rows: list[list[Word]]) -> str:
    """One line per row; a gap wider than ~3 characters becomes three spaces (a column break)."""
    lines = []
    for row in rows:
        char_w = median(w.width / max(len(w.text), 1) for w in row)
        parts = [row[0].text]
        for prev, word in zip(row, row[1:], strict=False):
            gap = word.left - (prev.left + prev.width)
            parts.append(("   " if gap > 3 * char_w else " ") + word.text)
        lines.append("".join(parts))
    return "\n".join(lines)
