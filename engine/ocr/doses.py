"""Dose patterns ("1-0-1") that Tesseract half-read, read again from the shapes of their ink.

Why (issue #17): in handwriting-style fonts a "1" is a single stroke, often bent like a bracket, and
Tesseract reads it as "J", "]", "}", "|" or "9" with a confidence of 0-40: the dev set's "1-0-0", "1-0-1"
and "0-0-1" came out "J-0-0", "-o-]" and "0-0),", and the schedule was lost. Cropped alone, Tesseract
still reads them at 0-70 %. A dose pattern has only three kinds of marks: a one (a single upright stroke,
one run of ink in every row), a nought (a closed loop: it has a hole) and a separator (a short dash or a
dot, far lower than the digits). So the marks are told apart by their shape, and a word is rewritten only
when every mark is one of these and they alternate slot, separator, slot ... (three or four slots).
Anything else (a "2", a "½", a smudge, a crossed-out dose) leaves the word as Tesseract read it: a dose
that cannot be read stays unread, never guessed.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from engine.ocr.layout import Word

# What Tesseract makes of a half-read dose pattern: short runs between separators ("J-0-0", "-o-]", "9-0-1",
# "0-0)" whose last dash it lost). A date has slashes; a range ("9-2") or a decimal ("3.1") is read as no
# more than two slots and rejected by the marks.
DOSE_SHAPED = re.compile(r"^(?=\S{3,8}$)[^\s/]{0,2}[-–—_~=.][^\s/]{1,2}(?:[-–—_~=.][^\s/]{0,3})?$")
SURE = 85.0  # a dose pattern Tesseract read at least this sure is left alone
TARGET_HEIGHT = 64  # the crop is scaled so its digits are about this tall: small noughts keep their hole


def _crop(image: np.ndarray, word: Word) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The word's box with room around it (a stroke Tesseract left outside the box is in it), scaled up;
    and where the box's left and top edges lie in the crop (before scaling)."""
    h = word.height
    top, bottom = max(0, word.top - h // 2), min(image.shape[0], word.top + word.height + h // 2)
    left, right = max(0, word.left - int(0.6 * h)), min(image.shape[1], word.left + word.width + int(0.6 * h))
    crop = image[top:bottom, left:right]
    scale = max(1.0, TARGET_HEIGHT / max(1, h))
    if scale > 1:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return crop, scale, (word.left - left, word.top - top)


def _marks(ink: np.ndarray, labels: np.ndarray, stats: np.ndarray, band: tuple[float, float]) -> list[list[int]]:
    """Groups of connected components (x, y, w, h, label ids) whose middles lie in ``band`` (the word's
    line), left to right; components on top of each other (a broken stroke, a dot over a stroke) are one."""
    parts = sorted([int(v) for v in stats[i][:4]] + [i] for i in range(1, len(stats))
                   if stats[i][4] >= 6 and band[0] <= stats[i][1] + stats[i][3] / 2 <= band[1])
    groups: list[list] = []
    for x, y, w, h, label in parts:
        if groups and x < groups[-1][0] + groups[-1][2] - 0.3 * min(w, groups[-1][2]):
            gx, gy, gw, gh, ids = groups[-1]
            x0, y0 = min(gx, x), min(gy, y)
            groups[-1] = [x0, y0, max(gx + gw, x + w) - x0, max(gy + gh, y + h) - y0, ids + [label]]
        else:
            groups.append([x, y, w, h, [label]])
    return groups


def _is_stroke(mask: np.ndarray) -> bool:
    """One upright stroke: in the middle 70 % of its rows a single short run of ink that hardly drifts
    sideways (a "7" or "2" has a long bar or a second run, a bracket-like "1" has neither)."""
    height = mask.shape[0]
    centres = []
    for row in mask[int(0.15 * height): max(int(0.85 * height), int(0.15 * height) + 1)]:
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row, [0]))))
        if len(edges) != 2 or edges[1] - edges[0] > 0.35 * height:
            return False
        centres.append((edges[0] + edges[1]) / 2)
    return bool(centres) and max(centres) - min(centres) <= 0.35 * height


def _holes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of the mark's holes (a speck of paper inside a blot is none)."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    area = mask.shape[0] * mask.shape[1]
    return [cv2.boundingRect(c) for c, h in zip(contours, hierarchy[0], strict=True)
            if h[3] >= 0 and cv2.contourArea(c) >= 0.05 * area]


def _is_nought(mask: np.ndarray) -> bool:
    """One loop with its hole in the middle of the mark ("9" and "6" have theirs high or low, "8" has two)."""
    holes = _holes(mask)
    if len(holes) != 1:
        return False
    _x, y, _w, h = holes[0]
    height = mask.shape[0]
    return h >= 0.4 * height and 0.3 * height <= y + h / 2 <= 0.7 * height


def _mark(mask: np.ndarray, tallest: int) -> str | None:
    """"1", "0" or "-" (a dash or a dot) for one mark, None for anything else."""
    h, w = mask.shape
    if h < 0.4 * tallest and w < 0.7 * tallest:
        return "-"
    if h >= 0.5 * tallest and w >= 0.45 * h and _is_nought(mask):
        return "0"
    if h >= 0.7 * tallest and not _holes(mask) and _is_stroke(mask):
        return "1"
    return None


def read_shape(image: np.ndarray, word: Word) -> str | None:
    """The dose pattern in ``word``'s box read from its marks ("1-0-0"), or None unless exactly one run of
    marks (runs part where the gap is wider than a digit is tall) is a one, a nought or a separator each,
    alternating slot, separator, slot with three or four slots. Why runs: Tesseract's box may hold the
    next word too ("0-0-1 x" read as one word "0-0),"), and the room around the box a neighbour's letter."""
    crop, scale, (box_left, box_top) = _crop(image, word)
    if crop.size == 0:
        return None
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    band = ((box_top - 0.2 * word.height) * scale, (box_top + 1.2 * word.height) * scale)
    groups = _marks(ink, labels, stats[:count], band)
    if not groups:
        return None
    tallest = max(g[3] for g in groups)
    runs: list[list[str | None]] = []
    for i, (x, y, w, h, ids) in enumerate(groups):
        if i == 0 or x - (groups[i - 1][0] + groups[i - 1][2]) > 0.8 * tallest:
            runs.append([])
        runs[-1].append(_mark(np.isin(labels[y:y + h, x:x + w], ids).astype(np.uint8), tallest))
    read = ["".join(run) for run in runs if None not in run]  # type: ignore[arg-type]
    doses = [text for text in read if re.fullmatch(r"[01](?:-[01]){2,3}", text) and "1" in text]
    return doses[0] if len(doses) == 1 else None


def reread_doses(image: np.ndarray, rows: list[list[Word]]) -> list[list[Word]]:
    """Words shaped like a dose pattern that Tesseract was unsure of, rewritten from their marks
    (:func:`read_shape`) when every mark reads; the others are left as they were."""
    from engine.meds.frequency import PATTERN_RE

    out = []
    for row in rows:
        fixed = []
        for word in row:
            text = word.text.strip(",;:")
            if DOSE_SHAPED.match(text) and not (word.conf >= SURE and PATTERN_RE.fullmatch(text)):
                read = read_shape(image, word)
                if read is not None:
                    word = Word(read, word.left, word.top, word.width, word.height, SURE, word.line)
            fixed.append(word)
        out.append(fixed)
    return out
