"""The doctor's English summary of a patient's words: what the parsers understood, nothing invented."""

from __future__ import annotations

import pytest

from engine.handoff.gloss import gloss


@pytest.mark.parametrize(("text", "summary"), [
    ("मेरे 5 साल के बेटे को 3 दिन से दस्त और उल्टी हो रही है, बुखार नहीं है",
     "A child, 5 years. Loose motions, vomiting; for 3 days. Denies: fever."),
    ("ਮੈਨੂੰ ਦੋ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਅਤੇ ਸਿਰ ਦਰਦ ਹੈ, ਬਹੁਤ ਤੇਜ਼", "The patient. Fever, headache; for 2 days; severe."),
    ("mujhe kal se khansi hai, dolo 650 li thi", "The patient. Cough; since yesterday. Medicines named: Dolo 650."),
    ("meri maa 60 saal ki hai, seene mein dard", "Someone else, 60 years, female. Chest pain or pressure."),
    ("ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", "Snake bite. Danger signs: snake bite."),
])
def test_summaries_in_english_from_every_script(text, summary):
    assert gloss(text) == summary


def test_nothing_understood_means_no_summary_and_other_languages_work():
    assert gloss("namaste ji") == "" and gloss("") == ""
    assert gloss("ਮੈਨੂੰ ਦੋ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਹੈ", "hi") == "मरीज़ स्वयं. बुखार; 2 दिन से."
