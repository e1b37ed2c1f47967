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
from tests.support.phrases import phrases


def value_of(text: str, measure: str) -> float | None:
    return next((r.value for r in read_vitals(text).readings if r.measure == measure), None)


@phrases("text", "value")
def test_the_words_of_one_number_are_joined(text, value):
    assert [n.value for n in spelled_numbers(tokenize(text))] == [value]


@phrases("text", "measure", "value")
def test_readings_said_in_words(text, measure, value):
    assert value_of(text, measure) == pytest.approx(value, abs=0.01)


@phrases("text")
def test_everyday_words_are_not_readings(text):
    assert read_vitals(text).readings == ()


@phrases("text")
def test_systolic_90_is_news2s_lowest_band(text):
    assert "vital_hypotension" in {f.id for f in detect_red_flags(text)}


@pytest.mark.parametrize("text", ["BP 110/70, feeling fine", "BP 100/70"])
def test_an_ordinary_low_normal_bp_stays_quiet(text):
    assert not detect_red_flags(text)


def test_sugar_forty_in_words_is_an_emergency():
    assert any(f.id.startswith("vital_") for f in detect_red_flags("papa ki sugar chalis aa gayi, pasina aa raha"))
