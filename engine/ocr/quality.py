"""How readable is this photo? A 0..1 score and named problems that map to retake tips.

Measured on the photo as received (blur, darkness, text size) and from the pipeline (page tilt,
shadow) and Tesseract (mean word confidence). Problem codes are stable: the bot shows the matching
``ocr_tip_<code>`` message from ``data/messages/ocr.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np

from engine.ocr.preprocess import Prepared
from engine.ocr.tesseract import OcrText

PROBLEMS = ("blur", "dark", "shadow", "tilted", "small_text", "low_confidence", "no_text")
# Laplacian variance at the 2000-px work size. Measured on synthetic photos: readable ones (typical
# phone blur and noise) 13-146; the same photos with a 2-px Gaussian blur (unreadable) 1-2.
BLUR_VARIANCE = 8.0
DARK_MEAN = 85.0  # mean grey level of the page below which the photo is too dark
SHADOW_RATIO = 0.5  # darkest/brightest paper below this: a strong shadow across the page
TILT_DEGREES = 10.0
SMALL_TEXT_PX = 11.0  # median word height in the original photo's pixels
LOW_CONFIDENCE = 70.0


@dataclass
class Quality:
    score: float
    problems: list[str]

    def to_contract(self) -> dict:
        return {"score": round(self.score, 2), "problems": list(self.problems)}


def blur_variance(gray: np.ndarray) -> float:
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def assess(prepared: Prepared, ocr: OcrText) -> Quality:
    gray = prepared.original_gray
    problems: list[str] = []
    penalty = 0.0
    variance = blur_variance(gray)
    if variance < BLUR_VARIANCE:
        problems.append("blur")
        penalty += 0.3 * (1 - variance / BLUR_VARIANCE) + 0.1
    if float(gray.mean()) < DARK_MEAN:
        problems.append("dark")
        penalty += 0.2
    if prepared.shadow_ratio < SHADOW_RATIO:
        problems.append("shadow")
        penalty += 0.1
    if abs(prepared.page_angle) > TILT_DEGREES or abs(prepared.skew_degrees) > TILT_DEGREES:
        problems.append("tilted")
        penalty += 0.1
    if ocr.words:
        height = median(w.height for w in ocr.words) / max(prepared.scale, 1e-6)
        if height < SMALL_TEXT_PX:
            problems.append("small_text")
            penalty += 0.2
    if len(ocr.words) < 5:
        problems.append("no_text")
        return Quality(0.0, problems)
    if ocr.mean_confidence < LOW_CONFIDENCE:
        problems.append("low_confidence")
    score = 0.5 * ocr.mean_confidence / 100 + 0.5 * max(0.0, 1 - penalty)
    return Quality(min(1.0, max(0.0, score)), problems)


def retake_tips(problems: list[str], language: str) -> list[str]:
    """The retake tip for each problem, in ``language`` ("hold the phone flat, more light")."""
    from engine.i18n import t

    return [t(f"ocr_tip_{p}", language) for p in problems if p in PROBLEMS]
