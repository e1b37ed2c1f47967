"""Readings said in words, and NEWS2's lowest blood-pressure band (issue #13 item 3).

People say readings aloud and type them the same way: "bukhar ek sau chaar", "a hundred and four",
"oxygen chauranve", "ਸ਼ੂਗਰ ਚਾਲੀ". ``nlu.numbers.spelled_numbers`` joins the words of one number;
``nlu.vitals`` reads it like digits. Number words that are also everyday words ("saath" = with,
"assi" = we in Punjabi, "das" = tell) are never a reading on their own. Systolic 90 is in NEWS2's
lowest band ("≤90", score 3: a red score on its own), so it is an emergency like 89.
"""

from __future__ import annotations

import pytest

from nlu.numbers import spelled_numbers
from nlu.red_flags import detect_red_flags
from nlu.text import tokenize
from nlu.vitals import read_vitals


def value_of(text: str, measure: str) -> float | None:
    return next((r.value for r in read_vitals(text).readings if r.measure == measure), None)


@pytest.mark.parametrize(("text", "value"), [
    ("ek sau chaar", 104), ("a hundred and four", 104), ("एक सौ चार", 104), ("ਇੱਕ ਸੌ ਚਾਰ", 104),
    ("ninety four", 94), ("chauranve", 94), ("do sau pachas", 250), ("ninety eight point six", 98.6),
    ("one hundred twenty five", 125), ("sau do", 102),
])
def test_the_words_of_one_number_are_joined(text, value):
    assert [n.value for n in spelled_numbers(tokenize(text))] == [value]


@pytest.mark.parametrize(("text", "measure", "value"), [
    ("bukhar ek sau chaar hai", "temperature", 40.0),
    ("fever is a hundred and four", "temperature", 40.0),
    ("बुखार एक सौ चार है", "temperature", 40.0),
    ("ਬੁਖਾਰ ਇੱਕ ਸੌ ਚਾਰ ਹੈ", "temperature", 40.0),
    ("spo2 pachasi", "spo2", 85.0),
    ("oxygen ninety two percent", "spo2", 92.0),
    ("sugar chalis", "glucose", 40.0),
    ("ਸ਼ੂਗਰ ਚਾਲੀ", "glucose", 40.0),
    ("pulse thirty eight and dizzy", "pulse", 38.0),
    ("pulse ek sau bees", "pulse", 120.0),
])
def test_readings_said_in_words(text, measure, value):
    assert value_of(text, measure) == pytest.approx(value, abs=0.01)


@pytest.mark.parametrize("text", [
    "sugar ke saath BP bhi hai",       # "saath" here is "with", not sixty
    "assi sugar di dawai lende haan",  # Punjabi "assi" = we
    "bukhar do din se hai",            # a duration, and a single digit is never a reading
    "sugar ki ek goli subah",          # a dose
    "bukhar bees din se",              # twenty days
])
def test_everyday_words_are_not_readings(text):
    assert read_vitals(text).readings == ()


@pytest.mark.parametrize("text", ["BP 90/60 and dizzy", "bp 90/60 chakkar aa rahe", "systolic 90"])
def test_systolic_90_is_news2s_lowest_band(text):
    assert "vital_hypotension" in {f.id for f in detect_red_flags(text)}


@pytest.mark.parametrize("text", ["BP 110/70, feeling fine", "BP 100/70"])
def test_an_ordinary_low_normal_bp_stays_quiet(text):
    assert not detect_red_flags(text)


def test_sugar_forty_in_words_is_an_emergency():
    assert any(f.id.startswith("vital_") for f in detect_red_flags("papa ki sugar chalis aa gayi, pasina aa raha"))
