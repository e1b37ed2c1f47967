"""Image pipeline and quality assessment on synthetic photos (no Tesseract needed except where noted)."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from engine.ocr import degrade, preprocess, synth
from engine.ocr.layout import Word, group_rows, rows_to_text
from engine.ocr.quality import assess
from engine.ocr.tesseract import OcrText


def _photo(level: float = 1.0, seed: str = "pipeline-rx") -> bytes:
    doc = synth.generate(seed, "prescription")
    return degrade.photograph(doc.page(), random.Random(seed), level=level)


def test_generator_is_deterministic():
    a, b = synth.generate("same-seed", "lab_report"), synth.generate("same-seed", "lab_report")
    assert a.truth == b.truth
    assert a.photo() == b.photo()
    assert synth.generate("other-seed", "lab_report").truth != a.truth


@pytest.mark.parametrize("doc_type", synth.DOC_TYPES)
def test_generator_truth(doc_type):
    doc = synth.generate(f"truth-{doc_type}", doc_type)
    assert doc.truth["doc_type"] == doc_type
    if doc_type in ("prescription", "discharge_summary"):
        assert doc.truth["medications"]
    if doc_type == "lab_report":
        assert doc.truth["lab_results"]


def test_page_found_and_straightened():
    prepared = preprocess.prepare(_photo())
    assert prepared.page_found
    assert abs(preprocess.estimate_skew(prepared.gray)) < 1.0
    assert prepared.gray.shape[0] > prepared.gray.shape[1]  # portrait page after the warp


def test_illumination_correction_flattens_a_shadow():
    gray = np.full((400, 300), 230, np.uint8)
    gray[:, 150:] = 110  # half the page in shadow
    flat, ratio = preprocess.correct_illumination(gray)
    assert ratio < 0.6
    assert abs(int(flat[:, :140].mean()) - int(flat[:, 160:].mean())) < 10


def test_unreadable_bytes_raise_value_error():
    with pytest.raises(ValueError):
        preprocess.decode(b"not an image")


def _words(n: int = 20, height: int = 30) -> list[Word]:
    return [Word("word", 10 + 60 * (i % 5), 40 * (i // 5), 50, height, 90.0) for i in range(n)]


def test_quality_flags_blur_dark_and_small_text():
    prepared = preprocess.prepare(_photo())
    good = assess(prepared, OcrText("", _words(), 92.0))
    assert good.score > 0.8 and "blur" not in good.problems
    blurred = preprocess.prepare(cv2.imencode(".jpg", cv2.GaussianBlur(
        cv2.imdecode(np.frombuffer(_photo(), np.uint8), cv2.IMREAD_COLOR), (0, 0), 6))[1].tobytes())
    assert "blur" in assess(blurred, OcrText("", _words(), 60.0)).problems
    dark = preprocess.prepare(cv2.imencode(".jpg", (cv2.imdecode(
        np.frombuffer(_photo(), np.uint8), cv2.IMREAD_COLOR) * 0.25).astype(np.uint8))[1].tobytes())
    assert "dark" in assess(dark, OcrText("", _words(), 60.0)).problems
    assert "small_text" in assess(prepared, OcrText("", _words(height=8), 90.0)).problems
    empty = assess(prepared, OcrText("", [], 0.0))
    assert empty.score == 0.0 and "no_text" in empty.problems


def test_rows_keep_table_cells_together():
    words = [Word("Haemoglobin", 10, 100, 200, 30, 95), Word("9.8", 500, 104, 50, 28, 95),
             Word("g/dL", 700, 98, 70, 30, 95), Word("TSH", 10, 160, 60, 30, 95), Word("2.1", 500, 162, 40, 28, 95)]
    assert rows_to_text(group_rows(words)).splitlines() == ["Haemoglobin   9.8   g/dL", "TSH   2.1"]


def test_tips_exist_for_every_problem():
    from engine.i18n import catalogue
    from engine.ocr.quality import PROBLEMS

    for problem in PROBLEMS:
        assert set(catalogue()[f"ocr_tip_{problem}"]) >= {"en", "hi", "pa"}


def test_retake_tips_in_three_languages():
    from engine.ocr.quality import retake_tips

    for lang in ("en", "hi", "pa"):
        tips = retake_tips(["blur", "dark", "unknown"], lang)
        assert len(tips) == 2 and all(tips)


def _start_raw_words(photo: bytes) -> int:
    from engine.ocr import tesseract

    return len(tesseract.start_raw(photo).result(timeout=120))


def test_the_background_reading_works_in_a_forked_worker_after_the_parent_used_it():
    """The evaluation and RQ fork workers; a child must not wait on the parent's thread pool (it has none of
    its threads)."""
    import io
    import multiprocessing

    from PIL import Image, ImageDraw

    page = Image.new("L", (700, 80), 255)
    ImageDraw.Draw(page).text((10, 30), "Tab Dolo 650 1-0-1", fill=0)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    photo = buffer.getvalue()
    _start_raw_words(photo)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_start_raw_words, (photo,)).get(timeout=120) >= 0


def test_shared_files_are_never_seen_half_written(tmp_path):
    """``models/ocr`` (user words, the raw-Tesseract cache) is shared by parallel readers: one that found
    the user-words file while another process was still writing it gave Tesseract half a word list, a
    reading that depended on timing. A reader sees the whole text or no file."""
    import threading

    from engine.ocr.words import write_atomically

    path, text = tmp_path / "user-words.txt", "Dolo\nAugmentin\n" * 20000
    seen: list[int] = []

    def writer() -> None:
        for _ in range(20):
            write_atomically(path, text)

    def reader() -> None:
        for _ in range(200):
            if path.exists():
                seen.append(len(path.read_text(encoding="utf-8")))

    threads = [threading.Thread(target=writer) for _ in range(3)] + [threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen) <= {len(text)}
    assert [p.name for p in tmp_path.iterdir()] == ["user-words.txt"]


@pytest.mark.timeout(300)
def test_reading_many_photos_limits_tesseract_threads_in_the_pool_only(tmp_path, monkeypatch):
    """The classifier's training texts are read in a pool with Tesseract on one thread each; the
    limit once went into the caller's own environment, and a test run that trained the classifier
    then started a media worker whose Whisper decoded every voice note as garbage
    (engine.speech.stt.openmp_threads)."""
    import os

    from engine.ocr import classifier
    from engine.ocr.tesseract import reading_pool

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    monkeypatch.setattr(classifier, "MODEL_DIR", tmp_path)  # no cached texts: read them now
    rows = classifier.ocr_dataset("pool-env", 1, workers=1)
    assert len(rows) == len(synth.DOC_TYPES) and all(row["text"].strip() for row in rows)
    assert "OMP_THREAD_LIMIT" not in os.environ
    with reading_pool(1) as pool:
        assert pool.submit(os.getenv, "OMP_THREAD_LIMIT").result() == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")  # an operator's own limit is kept
    with reading_pool(1) as pool:
        assert pool.submit(os.getenv, "OMP_THREAD_LIMIT").result() == "2"
