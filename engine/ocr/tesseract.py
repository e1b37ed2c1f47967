"""Tesseract on a prepared page: the line-by-line reading of :mod:`engine.ocr.reading`, and orientation.

When the straightened page reads with low confidence, the photo as it came is read too and the page
reading with more credible content (see :func:`page_score`) is kept: if straightening and flattening
made a photo worse, they are dropped for that photo; a page that reads as junk and shows a camera shake's
smear is read deconvolved as well (:mod:`engine.ocr.deblur`). When a page reads with very low confidence,
Tesseract's orientation detection is consulted once (a photo taken sideways or upside down) and the page
is read again.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from engine.ocr import deblur, reading
from engine.ocr.layout import Word, group_rows
from engine.ocr.preprocess import Prepared, rotate_quarters

log = logging.getLogger(__name__)
PSM = reading.PSM
RAW_CHECK_BELOW = 80.0  # mean word confidence under which the unprocessed photo is read as well
# Tesseract runs as its own process, so a reading started in a thread runs on the other core while this
# thread prepares and reads the page (the machine has two; the bot's job reads one photo at a time).
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _background() -> ThreadPoolExecutor:
    """This process's thread pool. A forked child (the evaluation's and RQ's workers) inherits the parent's
    pool object but none of its threads, and a task given to it would wait for ever: it gets its own."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="saathi-ocr"))
    return _pool[1]


def reading_pool(workers: int) -> ProcessPoolExecutor:
    """Processes that read many photos at once (the classifier's training texts, the evaluations),
    each running Tesseract on one thread (``OMP_THREAD_LIMIT=1``: with a process per core, Tesseract's
    own threads only oversubscribe them). The limit is set in the pool's processes only, never in the
    caller's: a test run or a media worker that inherited it made Whisper (CTranslate2) decode every
    voice note as garbage (``engine.speech.stt.openmp_threads``)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_one_tesseract_thread)


def _one_tesseract_thread() -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # an operator's own limit is kept


@dataclass
class OcrText:
    text: str
    words: list[Word]
    mean_confidence: float  # 0..100 over words, Tesseract's scale
    rotated_quarters: int = 0
    rows: list[list[Word]] = field(default_factory=list)


def from_rows(rows: list[list[Word]]) -> OcrText:
    rows = [r for r in rows if r]
    words = [w for row in rows for w in row]
    conf = float(np.mean([w.conf for w in words])) if words else 0.0
    return OcrText(reading.PageReading(rows, []).text, words, conf, rows=rows)


def _read(flat: np.ndarray, binary: np.ndarray | None) -> OcrText:
    return from_rows(reading.read_page(flat, binary).rows)


def _latin_score(page: reading.PageReading) -> float:
    return page_score(from_rows(page.rows))


def page_score(ocr: OcrText) -> float:
    """Credible characters on the page plus a bonus for every lab row and scheduled medicine that parses."""
    from engine.meds.parse import parse_medications
    from engine.ocr.table import parse_rows

    scheduled = sum(1 for m in parse_medications(ocr.text) if m.frequency or m.duration_days)
    return sum(reading.credibility(row) for row in ocr.rows) + 15 * (len(parse_rows(ocr.rows)) + scheduled)


def _osd_quarters(gray: np.ndarray) -> int:
    import pytesseract  # here, not at the top: see engine.ocr.reading.tesseract_words

    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return 0
    return int(osd.get("rotate", 0)) // 90


UPRIGHT_WORDS = 5  # confident words of our vocabularies that show a page is the right way up


def _reads_upright(page: reading.PageReading) -> bool:
    """Whether the page already reads as upright text: ``UPRIGHT_WORDS`` words of four letters or more that
    Tesseract is sure of (85+) and that are in our vocabularies. A page on its side or upside down reads as
    junk, never as a run of medical words; a ruled or noisy upright page may read with a low mean
    confidence, and asking orientation detection about it cost a detection and a reading (issue #17)."""
    sure = [w for w in page.words if w.conf >= 85 and len(w.text) >= 4 and w.text.isalpha() and reading.known(w.text)]
    return len(sure) >= UPRIGHT_WORDS


def _turning_reads_better(gray: np.ndarray, quarters: int, upright: reading.PageReading) -> bool:
    """Whether the page turned as orientation detection says reads with more confidence in one ``eng`` pass
    than the upright page's Latin reading (``upright``). Only then is the turned page read the whole way.
    Why: on a noisy upright photo the detector often names a turn, and reading the turned page the whole
    way (re-read lines, Indic lines) doubled that photo's time (issue #17) only to be thrown away."""
    turned = group_rows(reading.tesseract_words(rotate_quarters(gray, quarters), reading.LATIN))
    first = [w for row in upright.rows for w in row]
    upright_conf = float(np.mean([w.conf for w in first])) if first else 0.0
    return from_rows(turned).mean_confidence > upright_conf


DEBLUR_BELOW = 60.0  # mean word confidence under which a shaken page is read deconvolved as well


def _parsed(ocr: OcrText) -> int:
    """Lab rows and scheduled medicines that parse on a page."""
    from engine.meds.parse import parse_medications
    from engine.ocr.table import parse_rows

    return len(parse_rows(ocr.rows)) + sum(1 for m in parse_medications(ocr.text) if m.frequency or m.duration_days)


def _reads_better(candidate: OcrText, page: OcrText) -> bool:
    """Whether ``candidate`` parses more rows with no less confidence, or as many with clearly more (10
    points). Not :func:`page_score`: on a junk page, a hundred unsure junk words add up to more 'credible
    characters' than a clean reading of the same page."""
    more, same = _parsed(candidate), _parsed(page)
    return (more > same and candidate.mean_confidence >= page.mean_confidence) or (
        more >= same and candidate.mean_confidence >= page.mean_confidence + 10)


def _deblurred(gray: np.ndarray, page: reading.PageReading) -> tuple[reading.PageReading, np.ndarray] | None:
    """The page read again with a camera shake's smear undone (:mod:`engine.ocr.deblur`), when the page
    shows one and that reading is more credible (:func:`_reads_better`); else None. Why: a shaken photo's
    page read nothing (dev set, issue #17: the college biochemistry report 0 of 5 rows at confidence 37;
    deconvolved, 3 rows at 57)."""
    motion = deblur.estimate_motion(gray)
    if motion is None:
        return None
    sharp = deblur.deconvolved(gray, motion)
    candidate = reading.read_page(sharp, indic=False)  # one eng pass (and doubtful lines binarised)
    if not _reads_better(from_rows(candidate.rows), from_rows(page.rows)):
        return None
    log.info("the page read better with a %d-pixel camera shake undone", motion.length)
    return candidate, sharp


def read_prepared(prepared: Prepared, retry_below: float = 70.0) -> OcrText:
    """Read a prepared page; on very low confidence, try the orientation Tesseract detects.

    When the page reads with low confidence, the photo as it came (work size, not straightened or
    flattened) is read the same way and competes with it; the Indic lines are then read from whichever
    won. This is not the plain reading of :func:`read_raw`: that one (Tesseract's own page segmentation,
    no user words) competes later in :func:`engine.ocr.document.read_document`, and standing in for this
    one it left a single kind of reading in that contest, which lost medicines, schedules and lab rows
    on photos we did not generate (issue #17; 5acbca0 reverted)."""
    page = reading.read_page(prepared.gray, lambda: prepared.binary, indic=False)
    image, confidence = prepared.gray, from_rows(page.rows).mean_confidence
    if confidence < RAW_CHECK_BELOW and prepared.original_gray is not prepared.gray:
        unprocessed = reading.read_page(prepared.original_gray, indic=False)  # one eng pass on the photo as it came
        if _latin_score(unprocessed) > _latin_score(page):
            log.info("the unprocessed photo read better than the straightened page")
            page, image = unprocessed, prepared.original_gray
    sharper = _deblurred(prepared.gray, page) if confidence < DEBLUR_BELOW else None
    if sharper is not None:
        page, image = sharper
    result = from_rows(reading.add_indic(image, page).rows)
    if result.mean_confidence >= retry_below and len(result.words) >= 5:
        return result
    quarters = 0 if _reads_upright(page) else _osd_quarters(prepared.gray)
    if quarters and _turning_reads_better(prepared.gray, quarters, page):
        turned = _read(*(rotate_quarters(img, quarters) if img is not None else None
                         for img in (prepared.gray, prepared.binary)))
        if turned.mean_confidence > result.mean_confidence:
            turned.rotated_quarters = quarters
            log.info("page read after turning %d quarter(s)", quarters)
            return turned
    return result


def start_raw(photo: bytes) -> Future[list[Word]]:
    """Begin the plain reading of :func:`read_raw` at once, in the background: it needs nothing from the
    preparation, so it costs no wall time next to the prepared reading (issue #17: time <= 2x one raw pass)."""
    return _background().submit(reading.tesseract_words, photo, reading.LATIN, psm=3, plain=True)


def read_raw(prepared: Prepared, photo: bytes | None = None, started: Future[list[Word]] | None = None) -> OcrText:
    """The photo exactly as it came (grey, its own size), read as plain ``tesseract photo - -l eng`` does:
    Tesseract's defaults and page segmentation, no straightening, flattening or user words. Doses it
    barely saw, or crossed out, are marked unread as in the main reading. ``started``: the same reading
    begun earlier by :func:`start_raw`."""
    image = prepared.photo_gray if prepared.photo_gray is not None else prepared.original_gray
    if started is not None:
        words = started.result()
    else:
        source = photo if photo is not None else image  # the file's own bytes: what plain Tesseract reads
        words = reading.tesseract_words(source, reading.LATIN, psm=3, plain=True)
    return from_rows(reading.mark_unread_doses(image, group_rows(words)))


def read_page(gray: np.ndarray, retry_below: float = 70.0) -> OcrText:
    """Read a single already-prepared grey page (no other versions of it to choose from)."""
    return read_prepared(Prepared(gray=gray, original_gray=gray), retry_below)
