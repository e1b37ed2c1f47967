"""Real Tesseract runs on committed fixture photos, through the API and the ``saathi ocr`` CLI.

The first run trains the document-type classifier if ``models/ocr`` has none (a few minutes, cached).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from engine.ocr import read_document

FIXTURES = ROOT / "tests" / "fixtures" / "ocr"
TRUTH = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))
CONTRACT_KEYS = {"file", "doc_type", "doc_type_confidence", "quality", "text", "medications", "lab_results"}
MED_KEYS = {"name", "generic", "strength", "form", "frequency", "times_per_day", "duration_days", "instructions"}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_tilted_shadowed_prescription_photo(name):
    result = read_document(FIXTURES / name)
    truth = TRUTH[name]
    assert result.doc_type == "prescription"
    read = {m.generic: m for m in result.medications}
    for med in truth["medications"]:
        assert med["generic"] in read, (med["name"], result.text)
        assert read[med["generic"]].frequency == med["frequency"]
    assert 0.0 <= result.quality.score <= 1.0


def test_cli_contract_lines():
    files = [str(FIXTURES / "rx_tilted_shadow.jpg"), str(FIXTURES / "not_an_image.jpg"), str(FIXTURES / "missing.jpg")]
    proc = subprocess.run([sys.executable, "-m", "saathi.cli", "ocr", *files], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 3
    good, bad, missing = lines
    assert set(good) == CONTRACT_KEYS
    assert good["file"] == files[0] and good["doc_type"] == "prescription"
    assert set(good["quality"]) == {"score", "problems"}
    assert all(set(m) == MED_KEYS for m in good["medications"])
    assert bad["file"] == files[1] and "error" in bad
    assert missing["file"] == files[2] and "error" in missing


def test_document_types_match_the_contract_vocabulary():
    import csv

    from engine.ocr.synth import DOC_TYPES

    with open(ROOT / "data" / "document_types.tsv", encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle, delimiter="\t")}
    assert set(DOC_TYPES) == codes


def test_sideways_photo_is_turned_upright():
    import cv2

    img = cv2.imread(str(FIXTURES / "rx_tilted_shadow.jpg"))
    sideways = cv2.imencode(".jpg", cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE))[1].tobytes()
    result = read_document(sideways, name="sideways.jpg")
    generics = {m.generic for m in result.medications}
    assert {m["generic"] for m in TRUTH["rx_tilted_shadow.jpg"]["medications"]} <= generics
