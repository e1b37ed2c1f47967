"""The OCR development set (tests/data/ocr_dev: our own hand-written HTML, photographed by the independent
set's camera model) is consistent: every gold medicine is in the knowledge base, every lab test is known,
every document has its HTML and a small photo. It is the set to look at while fixing the reader."""

from __future__ import annotations

import pytest
import yaml

from config.paths import ROOT
from engine.meds.kb import load as load_kb
from engine.ocr.labs import load_ranges

DEV = ROOT / "tests" / "data" / "ocr_dev"
GOLD = sorted((DEV / "docs").glob("*.yml"))


def test_the_set_has_every_document_type():
    types = {yaml.safe_load(p.read_text(encoding="utf-8"))["doc_type"] for p in GOLD}
    assert types == {"prescription", "lab_report", "imaging", "discharge_summary", "other"}


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_is_consistent(path):
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert path.with_suffix(".html").exists()
    photo = DEV / "photos" / f"{path.stem}.jpg"
    assert photo.exists() and photo.stat().st_size < 250_000
    generics = load_kb().generics
    for med in gold.get("medications") or []:
        assert all(g in generics for g in med["generic"].split("+")), med
    for lab in gold.get("lab_results") or []:
        assert lab["test"] in load_ranges() and lab["flag"] in {"low", "high", "normal", "critical"}, lab
