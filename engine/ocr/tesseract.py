"""Tesseract via pytesseract: ``eng+hin+pan`` LSTM, medical user words, rows rebuilt from boxes.

Page segmentation mode 6 (one uniform block) keeps table rows intact on our prepared pages and was
both faster and more complete than the automatic mode 3, which dropped whole columns. When a page
reads with very low confidence, Tesseract's orientation detection is consulted once (a photo taken
sideways or upside down) and the page is read again.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace

import numpy as np
import pytesseract

from engine.ocr.layout import Word, group_rows, rows_to_text, words_from_data
from engine.ocr.preprocess import rotate_quarters
from engine.ocr.words import user_words_path

log = logging.getLogger(__name__)
LANGS = os.environ.get("SAATHI_OCR_LANGS", "eng+hin+pan")
PSM = 6


@dataclass
class OcrText:
    text: str
    words: list[Word]
    mean_confidence: float  # 0..100 over words, Tesseract's scale
    rotated_quarters: int = 0


def _config() -> str:
    return f"--oem 1 --psm {PSM} --user-words {user_words_path()} -c preserve_interword_spaces=1"


_INDIC_DIGIT = re.compile(r"[\u0966-\u096F\u0A66-\u0A6F]")
_LATIN = re.compile(r"[A-Za-z]")
_INDIC = re.compile(r"[\u0900-\u0A7F]")


def _suspicious(word: Word, row: list[Word]) -> bool:
    """A Latin word the Indic models garbled: Indic digits, or Latin and Indic letters mixed in one word,
    on a row that is otherwise written in Latin script (brand names, doses)."""
    mixed = bool(_LATIN.search(word.text) and _INDIC.search(word.text))
    if not (mixed or _INDIC_DIGIT.search(word.text)):
        return False
    latin = sum(1 for w in row if _LATIN.search(w.text) and not _INDIC.search(w.text))
    return latin >= 1


def _reread_latin(gray: np.ndarray, word: Word) -> Word:
    """Read one word box again with English only; keep it if Tesseract is more confident."""
    pad = max(4, word.height // 3)
    y0, x0 = max(0, word.top - pad), max(0, word.left - pad)
    crop = gray[y0:word.top + word.height + pad, x0:word.left + word.width + pad]
    data = pytesseract.image_to_data(crop, lang="eng", config=f"--oem 1 --psm 7 --user-words {user_words_path()}",
                                     output_type=pytesseract.Output.DICT)
    found = words_from_data(data)
    if not found:
        return word
    conf = float(np.mean([w.conf for w in found]))
    text = " ".join(w.text for w in found)
    return replace(word, text=text, conf=conf) if conf >= 50 and _LATIN.search(text) else word


def read(gray: np.ndarray) -> OcrText:
    data = pytesseract.image_to_data(gray, lang=LANGS, config=_config(), output_type=pytesseract.Output.DICT)
    words = words_from_data(data)
    rows = group_rows(words)
    rows = [[_reread_latin(gray, w) if _suspicious(w, row) else w for w in row] for row in rows]
    words = [w for row in rows for w in row]
    conf = float(np.mean([w.conf for w in words])) if words else 0.0
    return OcrText(rows_to_text(rows), words, conf)


def _osd_quarters(gray: np.ndarray) -> int:
    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return 0
    return int(osd.get("rotate", 0)) // 90


def read_page(gray: np.ndarray, retry_below: float = 70.0) -> OcrText:
    """Read a prepared page; on very low confidence, try the orientation Tesseract detects."""
    result = read(gray)
    if result.mean_confidence >= retry_below and len(result.words) >= 5:
        return result
    quarters = _osd_quarters(gray)
    if quarters:
        turned = read(rotate_quarters(gray, quarters))
        if turned.mean_confidence > result.mean_confidence:
            turned.rotated_quarters = quarters
            log.info("page read after turning %d quarter(s)", quarters)
            return turned
    return result
