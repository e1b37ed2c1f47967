"""Dose patterns read from the shapes of their marks (engine.ocr.doses): a handwriting-style "1" that
Tesseract reads as "J", "]" or "9" (issue #17), and everything that must stay as Tesseract read it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from config.paths import ROOT
from engine.ocr import doses
from engine.ocr.layout import Word


def _draw(marks: str, height: int = 40) -> tuple[np.ndarray, Word]:
    """A page with ``marks`` drawn by hand-like strokes: "1" a slightly bent stroke, "0" a loop, "-" a
    low dash, "2" a hook with a foot, "x" two crossing strokes; and the word box around them."""
    page = np.full((3 * height, 40 + 40 * len(marks)), 255, np.uint8)
    top, x = height, 20
    for mark in marks:
        if mark == "1":
            cv2.line(page, (x + 6, top), (x + 3, top + height), 0, 3)
            x += 18
        elif mark == "0":
            cv2.ellipse(page, (x + 12, top + int(0.6 * height)), (10, int(0.35 * height)), 0, 0, 360, 0, 3)
            x += 30
        elif mark == "-":
            cv2.line(page, (x, top + int(0.75 * height)), (x + 12, top + int(0.75 * height)), 0, 3)
            x += 20
        elif mark == "2":
            cv2.ellipse(page, (x + 12, top + 12), (10, 10), 0, 180, 360, 0, 3)
            cv2.line(page, (x + 22, top + 12), (x + 2, top + height), 0, 3)
            cv2.line(page, (x + 2, top + height), (x + 24, top + height), 0, 3)
            x += 32
        elif mark == "x":
            cv2.line(page, (x, top + 20), (x + 20, top + height), 0, 3)
            cv2.line(page, (x + 20, top + 20), (x, top + height), 0, 3)
            x += 28
        elif mark == " ":
            x += 60
    return page, Word("J-0-0", 18, top - 2, x - 16, height + 4, 20.0)


@pytest.mark.parametrize(("marks", "read"), [
    ("1-0-0", "1-0-0"), ("1-0-1", "1-0-1"), ("0-0-1", "0-0-1"), ("0-1-0", "0-1-0"), ("1-0-0-1", "1-0-0-1"),
    ("0-0-1 x", "0-0-1"),  # Tesseract's box took the next word in: a run of its own, left out
])
def test_ones_noughts_and_dashes_read_from_their_shapes(marks, read):
    page, word = _draw(marks)
    assert doses.read_shape(page, word) == read


@pytest.mark.parametrize("marks", [
    "2-0-1",  # a mark that is neither a one nor a nought: unread, never guessed
    "0-0-0",  # no dose at all
    "1-0",  # two slots: a range or a decimal, not a schedule
    "1-0-1 1-0-0",  # two patterns in one box: which one is not ours to pick
    "10-1",
])
def test_anything_else_is_left_as_tesseract_read_it(marks):
    page, word = _draw(marks)
    assert doses.read_shape(page, word) is None


def test_only_unsure_dose_shaped_words_are_read_again():
    page, word = _draw("1-0-0")
    sure = Word("1-0-1", word.left, word.top, word.width, word.height, 96.0)  # Tesseract was sure: kept
    date = Word("03/12/26", word.left, word.top, word.width, word.height, 20.0)  # not dose-shaped
    unsure = Word("J-0-0", word.left, word.top, word.width, word.height, 20.0)
    rows = doses.reread_doses(page, [[sure, date, unsure]])
    assert [w.text for w in rows[0]] == ["1-0-1", "03/12/26", "1-0-0"]
    assert rows[0][2].conf == doses.SURE


@pytest.mark.timeout(300)
def test_the_dev_sets_handwriting_style_schedules_are_read(monkeypatch):
    """tests/data/ocr_dev's rx-handwritten-dkg: 1-0-0, 1-0-1 and 0-0-1 in the dkg handwriting font were
    read as 'J-0-0', '-o-]' and '0-0),' and all three schedules lost. The type comes from the page's
    structure here (even classifier probabilities, as score.py --no-classifier): no model to train."""
    from engine.ocr import classifier, read_document, synth

    monkeypatch.setattr(classifier, "probabilities", lambda text: dict.fromkeys(synth.DOC_TYPES, 0.2))
    result = read_document(ROOT / "tests" / "data" / "ocr_dev" / "photos" / "rx-handwritten-dkg.jpg")
    assert {m.generic: m.frequency for m in result.medications} == {
        "rabeprazole": "1-0-0", "ibuprofen+paracetamol": "1-0-1", "fexofenadine": "0-0-1"}
