"""summarise_document: each medicine with purpose and schedule, interactions, the doctor route."""

from __future__ import annotations

import pytest

from engine.i18n import t
from engine.meds import summarise_document
from engine.meds.parse import parse_medications
from engine.ocr.document import DocumentResult
from engine.ocr.quality import Quality


def _doc(text: str, doc_type: str = "prescription") -> DocumentResult:
    return DocumentResult("x.jpg", doc_type, 0.9, Quality(0.9, []), text, parse_medications(text), [])


@pytest.mark.parametrize("language", ["en", "hi", "pa"])
def test_prescription_summary(language):
    doc = _doc("Tab Dolo 650 1-0-1 x 5 days after food\nTab Ecosprin 75 mg 0-1-0\nTab Brufen 400 SOS")
    text = summarise_document(doc, language)
    assert "Dolo 650" in text and "Ecosprin" in text and "Brufen" in text
    assert t("meds_summary_interactions", language) in text
    assert t("meds_slot_night", language) in text
    assert text.endswith(t("meds_summary_footer", language))


def test_nothing_found_and_imaging():
    assert t("meds_summary_nothing", "en") in summarise_document(_doc("Receipt Rs 300", "other"), "en")
    assert t("ocr_imaging_advice", "hi") in summarise_document(_doc("USG ABDOMEN normal", "imaging"), "hi")
