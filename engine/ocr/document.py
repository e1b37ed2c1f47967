"""``read_document``: photo or scan -> document type, quality, text, medications, lab results.

The one entry point the bot, the channel's RQ job and ``saathi ocr`` use. Medications are extracted
from prescriptions and discharge summaries, lab results from lab reports (a pharmacy bill lists
medicines too, but is not an instruction to take them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.meds.parse import Medication, parse_medications
from engine.ocr import classifier, preprocess, quality, tesseract
from engine.ocr.labs import LabResult, patient
from engine.ocr.table import parse_rows

MEDICATION_TYPES = {"prescription", "discharge_summary"}
LAB_TYPES = {"lab_report"}
# Words that name a kind of paper, in the three languages; each hit adds to that type's score.
_TITLE_WORDS = {
    "discharge_summary": r"discharge|date\s+of\s+admission|\bDOA\b|\bDOD\b|डिस्चार्ज|छुट्टी|ਡਿਸਚਾਰਜ|ਛੁੱਟੀ",
    "imaging": r"radiolog|x-?ray|ultrasound|ultrasonograph|\bUSG\b|\bNCCT\b|\bCT\s+(?:scan|head|chest|abdomen)"
               r"|\bMRI\b|impression|findings|observations|अल्ट्रासाउंड|ਅਲਟਰਾਸਾਊਂਡ",
    "other": r"invoice|\bbill\b|receipt|cash\s+memo|certificate|certify|vaccin|immuni[sz]ation|GSTIN|रसीद|पंजीकरण"
             r"|ਟੀਕਾ|टीका|ਰਸੀਦ",
    "lab_report": r"reference\s+range|ref\.?\s+range|biological\s+ref|normal\s+(?:range|values)|patholog|laborator"
                  r"|प्रयोगशाला|जाँच\s+रिपोर्ट|सामान्य\s+सीमा|ਹਵਾਲਾ\s+ਸੀਮਾ",
    "prescription": r"\bRx\b|℞|prescription|\bAdv\b|\bC/O\b",
}
_TITLE_RES = {t: re.compile(rx, re.IGNORECASE) for t, rx in _TITLE_WORDS.items()}


@dataclass
class DocumentResult:
    file: str
    doc_type: str
    doc_type_confidence: float
    quality: quality.Quality
    text: str
    medications: list[Medication] = field(default_factory=list)
    lab_results: list[LabResult] = field(default_factory=list)

    def to_contract(self) -> dict[str, Any]:
        """Exactly the ``saathi ocr`` line of the evaluation contract."""
        return {
            "file": self.file,
            "doc_type": self.doc_type,
            "doc_type_confidence": round(self.doc_type_confidence, 3),
            "quality": self.quality.to_contract(),
            "text": self.text,
            "medications": [m.to_dict() for m in self.medications],
            "lab_results": [r.to_contract() for r in self.lab_results],
        }


def document_type(text: str, medications: list[Medication], lab_results: list[LabResult]) -> tuple[str, float]:
    """The paper's type from the text classifier's probabilities and what the page holds: lab rows that
    parse, medicines with a schedule, and words that name a kind of paper. The classifier learnt from the
    generator's pages alone; a real page's structure says more than its wording."""
    scores = classifier.probabilities(text)
    if not text.strip():
        return "other", 0.0
    scheduled = sum(1 for m in medications if m.frequency or m.duration_days)
    scores["lab_report"] += 0.35 * min(len(lab_results), 3)
    for kind in MEDICATION_TYPES:
        scores[kind] += 0.25 * min(scheduled, 3)
    for kind, rx in _TITLE_RES.items():
        scores[kind] += 0.3 * min(len(rx.findall(text)), 2)
    best = max(scores, key=scores.__getitem__)
    return best, scores[best] / sum(scores.values())


def _merge_medications(primary: list[Medication], other: list[Medication]) -> list[Medication]:
    """``primary``'s medicines, a schedule it left blank filled from ``other``'s reading of the same
    medicine, then the medicines only ``other`` found. Both readings mark a dose they could not read as
    unread, so a filled schedule is one that reading did see."""
    merged = list(primary)
    for med in other:
        same = next((m for m in merged if m.generic == med.generic), None)
        if same is None:
            merged.append(med)
        elif same.frequency is None and same.duration_days is None and (med.frequency or med.duration_days):
            merged[merged.index(same)] = med
    return merged


def _structure(row: LabResult) -> int:
    """How much of a lab row parsed: a unit, a printed range (a row read whole is more credible)."""
    return int(row.unit is not None) + int(row.range_source == "printed")


def _merge_labs(primary: list[LabResult], other: list[LabResult]) -> list[LabResult]:
    """``primary``'s lab rows (one ``other`` read more completely, with unit and printed range, replaces
    it), then the tests only ``other`` read."""
    theirs = {r.code: r for r in other}
    merged = [theirs[r.code] if r.code in theirs and _structure(theirs[r.code]) > _structure(r) else r
              for r in primary]
    seen = {r.code for r in primary}
    return merged + [r for r in other if r.code not in seen]


def interpret(ocr: tesseract.OcrText, file: str, page_quality: quality.Quality,
              others: tuple[tesseract.OcrText, ...] = ()) -> DocumentResult:
    """Type, medications and lab results from a page's words: the one parsing path, shared by
    :func:`read_document` and the raw-Tesseract baseline of the evaluation (so the two differ only
    in how the words were read). Lab tables are rebuilt from the word boxes; the patient's age and
    sex printed in the header pick sex-specific ranges. ``others`` are other readings of the same page:
    what ``ocr`` missed (a medicine, its schedule, a lab row) is taken from them, in order."""
    text = ocr.text
    age, sex = patient(text)
    for other in others:
        if age is None or sex is None:
            other_age, other_sex = patient(other.text)
            age, sex = age if age is not None else other_age, sex or other_sex
    medications, lab_results = parse_medications(text), parse_rows(ocr.rows, age, sex)
    for other in others:
        medications = _merge_medications(medications, parse_medications(other.text))
        lab_results = _merge_labs(lab_results, parse_rows(other.rows, age, sex))
    doc_type, confidence = document_type(text, medications, lab_results)
    result = DocumentResult(file, doc_type, confidence, page_quality, text)
    if doc_type in MEDICATION_TYPES:
        result.medications = medications
    if doc_type in LAB_TYPES:
        result.lab_results = lab_results
    return result


def read_document(source: str | Path | bytes, name: str | None = None) -> DocumentResult:
    """Read one photo (path or bytes). Raises ValueError when the bytes are not an image.

    Two readings compete (issue #17: never read worse than plain Tesseract): the prepared page read
    line by line (:func:`tesseract.read_prepared`) and the photo as it came read the way plain
    Tesseract does (:func:`tesseract.read_raw`, started first and run on the other core meanwhile). The
    one with more credible, parsable content leads; the other fills in what it missed."""
    if isinstance(source, bytes):
        data, file = source, name or ""
    else:
        path = Path(source)
        data, file = path.read_bytes(), name or str(source)
    preprocess.check_pixels(data)  # refused from the header before any reading starts
    started = tesseract.start_raw(data)
    try:
        prepared = preprocess.prepare(data)
    except ValueError:
        started.cancel()
        raise
    ocr = tesseract.read_prepared(prepared)
    raw = tesseract.read_raw(prepared, data, started)
    first, second = (ocr, raw) if tesseract.page_score(ocr) >= tesseract.page_score(raw) else (raw, ocr)
    return interpret(first, file, quality.assess(prepared, ocr), (second,))  # measured on the work-size page
