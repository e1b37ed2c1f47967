"""The independent OCR evaluation set is complete, consistent and independent of the generator.

These tests check the set itself and the scoring; the figures come from ``saathi ocr-eval --set outside``.
"""

from __future__ import annotations

import ast

import pytest

from engine.meds.kb import load as load_kb
from engine.ocr import outside
from engine.ocr.labs import compute_flag, load_ranges

DOCS = outside.load()
CONTRACT_TYPES = {"prescription", "lab_report", "imaging", "discharge_summary", "other"}


def test_set_size_and_mix():
    assert len(DOCS) >= 40
    types = {d.gold["doc_type"] for d in DOCS}
    assert types == CONTRACT_TYPES
    styles = {d.gold.get("style") for d in DOCS}
    assert {"hospital", "clinic", "chainlab", "handwritten", "govt"} <= styles
    languages = {lang for d in DOCS for lang in d.gold.get("languages", [])}
    assert {"hi", "pa"} <= languages


@pytest.mark.parametrize("doc", DOCS, ids=[d.doc_id for d in DOCS])
def test_document_files_and_gold(doc):
    assert (outside.OUTSIDE_DIR / "docs" / f"{doc.doc_id}.html").exists()
    assert doc.photo.exists() and doc.photo.stat().st_size < 250_000, "photos stay small (repo size)"
    assert doc.gold["doc_type"] in CONTRACT_TYPES
    kb = load_kb()
    for med in doc.gold.get("medications") or []:
        for generic in med["generic"].split("+"):
            assert generic in kb.generics, (med, generic)
        assert (med["frequency"] is None) == (med["times_per_day"] is None) or med["frequency"] == "SOS"
    ranges = load_ranges()
    for lab in doc.gold.get("lab_results") or []:
        spec = ranges[lab["test"]]
        units = {k.replace("µ", "u"): v for k, v in spec["units"].items()}
        factor = units.get(lab["unit"].lower().replace("µ", "u"), 1)
        assert compute_flag(lab["test"], lab["value"], lab["ref_low"], lab["ref_high"], factor) == lab["flag"], lab


def test_camera_shares_no_code_with_the_generator():
    """The independent photos must not come from the pipeline's own generator (synth/degrade/render)."""
    tree = ast.parse((outside.OUTSIDE_DIR / "camera.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and (m.startswith("engine") or m.startswith("saathi")) for m in modules), modules


def _contract(doc, medications=(), labs=(), doc_type=None):
    return {"doc_type": doc_type or doc.gold["doc_type"], "medications": list(medications), "seconds": 0.1,
            "lab_results": [dict(lab, test=lab["test"]) for lab in labs], "codes": [lab["test"] for lab in labs]}


def test_scoring_perfect_and_guessed():
    doc = next(d for d in DOCS if d.doc_id.startswith("rx09"))
    meds = [dict(m) for m in doc.gold["medications"]]
    perfect = outside.score(doc, _contract(doc, meds))
    assert perfect.right == perfect.total and perfect.total["unread"] == 1
    guessed = [dict(m, frequency="1-0-1") if m["frequency"] is None else m for m in meds]
    tally = outside.score(doc, _contract(doc, guessed))
    assert tally.right["unread"] == 0 and "unreadable" in tally.misses[0]


def test_scoring_labs_and_extra_rows():
    doc = next(d for d in DOCS if d.doc_id.startswith("lab26"))
    labs = [dict(lab) for lab in doc.gold["lab_results"]]
    assert outside.score(doc, _contract(doc, labs=labs)).ratio("labs") == 1.0
    wrong = [dict(labs[0], flag="high")] + labs[1:] + [dict(labs[0], test="tsh")]
    tally = outside.score(doc, _contract(doc, labs=wrong))
    assert tally.right["labs"] == len(labs) - 1 and tally.extra_labs == 1
