"""A camera shake's straight smear is found on the page and undone (engine.ocr.deblur, issue #17)."""

from __future__ import annotations

import cv2
import numpy as np

from engine.ocr import deblur


def _page() -> np.ndarray:
    page = np.full((700, 1000), 255, np.uint8)
    for i, text in enumerate(("Serum Creatinine 0.9 mg/dL", "Serum Uric Acid 6.8 mg/dL", "Serum Calcium 8.1 mg/dL",
                              "Glucose Fasting 118 mg/dL 70-100", "Serum Potassium 4.2 mmol/L 3.5-5.1")):
        cv2.putText(page, text, (40, 90 + 120 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3, cv2.LINE_AA)
    return page


def _shaken(page: np.ndarray, motion: deblur.Motion) -> np.ndarray:
    return cv2.filter2D(page.astype(np.float32), -1, deblur.line_psf(motion), borderType=cv2.BORDER_REFLECT)


def test_a_shake_is_measured_and_a_sharp_page_shows_none():
    shake = deblur.Motion(20, 80.0)
    found = deblur.estimate_motion(_shaken(_page(), shake).astype(np.uint8))
    assert found is not None and abs(found.length - shake.length) <= 4
    assert min(abs(found.angle - shake.angle), 180 - abs(found.angle - shake.angle)) <= 10
    assert deblur.estimate_motion(_page()) is None


def test_the_smear_undone_brings_the_page_back():
    page, shake = _page(), deblur.Motion(20, 80.0)
    shaken = _shaken(page, shake).astype(np.uint8)
    sharp = deblur.deconvolved(shaken, shake)
    def error(img: np.ndarray) -> float:
        return float(np.abs(img.astype(np.float32) - page).mean())

    assert sharp.shape == page.shape and sharp.dtype == np.uint8
    assert error(sharp) < 0.85 * error(shaken)
