"""Ages said in passing in free text, wherever age is read (``nlu.slots.age_in_text`` for red flags and
triage, ``parse_age`` for the intake): "I am 58", "58 yr male", "age 58", "ਉਮਰ ੫੮" (issue #13). Numbers that
are durations, readings, weights or pregnancy months are never ages."""

from __future__ import annotations

import pytest

from nlu.red_flags import detect_red_flags
from nlu.slots import age_in_text, parse_age, parse_duration_days


@pytest.mark.parametrize(("text", "years"), [
    ("I am 58", 58),
    ("I am 58, chest pain since 2 days", 58),
    ("I'm 58 and diabetic", 58),
    ("she is 70 and BP 158", 70),
    ("He is 2 and has fever", 2),
    ("58 year old man", 58),
    ("58 yr male with chest pain", 58),
    ("58 yo male", 58),
    ("60 saal aurat, saans phool rahi", 60),
    ("age 58", 58),
    ("age: 58, sugar 300", 58),
    ("aged 58", 58),
    ("age 3 months", 0.25),
    ("meri umar 58 saal", 58),
    ("मेरी उम्र ५८ साल है", 58),
    ("उम्र 58", 58),
    ("ਉਮਰ ੫੮", 58),
    ("ਮੇਰੀ ਉਮਰ 58 ਸਾਲ", 58),
])
def test_age_said_in_passing(text, years):
    assert age_in_text(text) == years
    assert parse_age(text) == years


@pytest.mark.parametrize("text", [
    "58 din se bukhar",           # a duration
    "BP 158",                     # a reading
    "my sugar is 158",
    "I am 5 months pregnant",     # pregnancy months
    "I am 5 days late",
    "I am 60 kg",                 # a weight
    "10 saal se diabetes hai",
    "pichhle 2 saal se khansi",
])
def test_numbers_that_are_not_ages(text):
    assert age_in_text(text) is None


def test_durations_beside_an_age_are_still_durations():
    assert parse_duration_days("I am 58, chest pain since 2 days") == 2
    assert parse_duration_days("58 din se bukhar") == 58


def test_an_age_in_passing_decides_age_thresholds():
    # IMCI/NICE: breathing above 60/min under 5 years is an emergency only when the age is known
    assert "vital_child_tachypnoea_red" in [f.id for f in detect_red_flags("he is 2, breathing 65 per minute")]
    assert "vital_child_tachypnoea_red" not in [f.id for f in detect_red_flags("breathing 65 per minute")]
