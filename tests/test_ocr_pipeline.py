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


def _paper_on_a_streaked_table() -> tuple[np.ndarray, np.ndarray]:
    """A light sheet on a dark table with long horizontal streaks (the grain that outlined a band of the
    table instead of the paper), and the sheet's corners."""
    rng = np.random.default_rng(7)
    table = np.repeat(rng.integers(40, 120, size=(400, 1)), 600, axis=1).astype(np.uint8)
    corners = np.float32([[120, 90], [470, 100], [465, 300], [115, 290]])
    cv2.fillConvexPoly(table, corners.astype(np.int32), 225)
    return cv2.GaussianBlur(table, (5, 5), 0), corners


def test_an_outline_is_a_page_only_where_every_side_shows_a_paper_edge():
    small, paper = _paper_on_a_streaked_table()
    assert preprocess.shows_paper_edges(small, paper)
    band = np.float32([[0, 80], [599, 80], [599, 310], [0, 310]])  # a band of the table, sides on the frame
    support = preprocess.edge_support(small, band)
    assert support[1] == support[3] == 0.0
    assert not preprocess.shows_paper_edges(small, band)
    inside = np.float32([[200, 150], [400, 150], [400, 250], [200, 250]])  # a box on the paper: no edge at all
    assert not preprocess.shows_paper_edges(small, inside)


def test_ruling_lines_are_removed_and_letters_and_header_bands_kept():
    page = np.full((800, 2000), 235, np.uint8)
    cv2.rectangle(page, (100, 200), (1900, 260), 30, -1)  # a dark header band with paper-coloured text
    cv2.putText(page, "Result", (140, 245), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 235, 3)
    for y in (300, 380, 460):
        cv2.line(page, (100, y), (1900, y), 60, 2)  # row rules
    for x in (100, 900, 1900):
        cv2.line(page, (x, 200), (x, 460), 60, 2)  # column rules
    cv2.putText(page, "HDL 38", (140, 360), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 20, 4)
    clean = preprocess.remove_rules(page)
    assert clean[380, 500] > 200 and clean[400, 900] > 200  # the rules are paper now
    assert (clean[320:370, 140:400] < 100).sum() == (page[320:370, 140:400] < 100).sum()  # the letters stay
    assert (clean[205:255, 500:1800] < 100).mean() > 0.9  # the dark header band stays dark
    assert np.array_equal(preprocess.remove_rules(np.full((100, 100), 230, np.uint8)), np.full((100, 100), 230))


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


@pytest.mark.timeout(300)
def test_the_classifier_was_trained_on_text_read_the_way_the_pipeline_reads_now():
    """The document-type model and its training texts are cached under a key that names the reading
    pipeline by ``classifier.PIPELINE_VERSION`` (bumped by hand). A change to how photos are read that
    left it alone kept a model that learnt from text read the old way (issue #17). Two cached training
    texts, read again now, must come back the same: if not, bump ``PIPELINE_VERSION``."""
    import json

    from engine.ocr import classifier

    cached = classifier.MODEL_DIR / f"ocr-text-{synth.TRAIN_PREFIX}-{classifier.inputs_hash()}.jsonl"
    if not cached.exists():
        pytest.skip("no classifier trained for the current key yet (test_ocr_fixture trains it)")
    rows = [json.loads(line) for line in cached.read_text(encoding="utf-8").splitlines()]
    for row in (rows[0], rows[len(rows) // 2]):
        photo = synth.generate(row["seed"], row["doc_type"]).photo()
        assert classifier.ocr_photo(photo) == row["text"], f"{row['seed']}: bump classifier.PIPELINE_VERSION"
