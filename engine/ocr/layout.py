"""Rebuild text lines from Tesseract's word boxes so table rows stay together.

Tesseract's own reading order can put a table's columns one after another; grouping words whose
vertical centres fall in the same band restores each row ("Haemoglobin 9.8 g/dL 12-15.5"), with a
wide gap rendered as several spaces so columns stay visibly apart.
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

    @property
    def centre(self) -> float:
        return self.top + self.height / 2


def words_from_data(data: dict[str, list]) -> list[Word]:
    """Words with text from ``pytesseract.image_to_data(..., output_type=DICT)``."""
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if text and conf >= 0:
            words.append(Word(text, data["left"][i], data["top"][i], data["width"][i], data["height"][i], conf))
    return words


def group_rows(words: list[Word]) -> list[list[Word]]:
    """Rows of words, top to bottom; a word joins a row when its centre lies within the row's band."""
    if not words:
        return []
    typical = median(w.height for w in words)
    rows: list[list[Word]] = []
    centres: list[float] = []
    for word in sorted(words, key=lambda w: w.centre):
        if centres and abs(word.centre - centres[-1]) <= 0.5 * typical:
            rows[-1].append(word)
            centres[-1] = sum(w.centre for w in rows[-1]) / len(rows[-1])
        else:
            rows.append([word])
            centres.append(word.centre)
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
