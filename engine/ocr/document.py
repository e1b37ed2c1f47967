"""``read_document``: photo or scan -> document type, quality, text, medications, lab results.

The one entry point the bot, the channel's RQ job and ``saathi ocr`` use. Medications are extracted
from prescriptions and discharge summaries, lab results from lab reports (a pharmacy bill lists
medicines too, but is not an instruction to take them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.meds.parse import Medication, parse_medications
from engine.ocr import classifier, preprocess, quality, tesseract
from engine.ocr.labs import LabResult, parse_labs

MEDICATION_TYPES = {"prescription", "discharge_summary"}
LAB_TYPES = {"lab_report"}


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


def read_document(source: str | Path | bytes, name: str | None = None) -> DocumentResult:
    """Read one photo (path or bytes). Raises ValueError when the bytes are not an image."""
    if isinstance(source, bytes):
        data, file = source, name or ""
    else:
        path = Path(source)
        data, file = path.read_bytes(), name or str(source)
    prepared = preprocess.prepare(data)
    ocr = tesseract.read_page(prepared.gray)
    doc_type, confidence = classifier.classify(ocr.text)
    result = DocumentResult(file, doc_type, confidence, quality.assess(prepared, ocr), ocr.text)
    if doc_type in MEDICATION_TYPES:
        result.medications = parse_medications(ocr.text)
    if doc_type in LAB_TYPES:
        result.lab_results = parse_labs(ocr.text)
    return result
