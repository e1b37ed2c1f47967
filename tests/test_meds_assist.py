"""Explanations and symptom side-effect checks, with the safety wording the project promises."""

from __future__ import annotations

import pytest

from engine.meds import explain_medicine, side_effect_check


@pytest.mark.parametrize("language", ["en", "hi", "pa"])
def test_explain_brand(language):
    exp = explain_medicine("Dolo 650", language)
    assert exp.generics == ("paracetamol",)
    text = exp.to_text()
    assert "Dolo 650" in text and len(text.splitlines()) >= 6


def test_explain_combination_and_generic_and_ocr_slip():
    assert explain_medicine("Augmentin 625").generics == ("amoxicillin", "clavulanic acid")
    assert explain_medicine("metformin").generics == ("metformin",)
    assert explain_medicine("Glycomett").generics == ("metformin",)
    assert explain_medicine("no such medicine xyz") is None


def test_explanations_never_say_stop_on_your_own():
    text = explain_medicine("Telma 40", "en").to_text().lower()
    assert "do not stop on your own" in text or "not stop" in text


@pytest.mark.parametrize(("medicines", "symptoms", "expected", "urgency"), [
    (["Envas"], ["cough"], ("enalapril", "ace_cough"), "soon"),
    (["Ramipril"], ["dry_cough"], ("ramipril", "ace_cough"), "soon"),
    (["Ecosprin", "Brufen"], ["bleeding"], ("aspirin", "bleeding"), "urgent"),
    (["Ecosprin", "Brufen"], ["bleeding"], ("ibuprofen", "bleeding"), "urgent"),
    (["Amaryl"], ["sweating"], ("glimepiride", "low_sugar"), "urgent"),
    (["Glycomet GP 2"], ["dizziness"], ("glimepiride", "low_sugar"), "urgent"),
    (["Amlokind"], ["swelling_legs"], ("amlodipine", "ankle_swelling"), "soon"),
    (["AKT 4"], ["jaundice"], ("rifampicin", "liver"), "urgent"),
    (["Atorva"], ["body_ache"], ("atorvastatin", "muscle"), "soon"),
])
def test_side_effects(medicines, symptoms, expected, urgency):
    warnings = side_effect_check(medicines, symptoms)
    match = [w for w in warnings if (w.generic, w.effect) == expected]
    assert match and match[0].urgency == urgency
    for lang in ("en", "hi", "pa"):
        assert match[0].advice(lang)
    advice = match[0].advice("en").lower()
    assert "doctor" in advice
    if urgency == "soon":
        assert "do not stop the medicine on your own" in advice


def test_no_warning_for_unrelated_symptom():
    assert side_effect_check(["Dolo 650"], ["cough"]) == []
