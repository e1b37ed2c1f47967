"""Vital-sign readings (nlu/vitals.py): what is read, what is asked back, what is not a reading, and
which thresholds fire for whom. Stdlib + pytest only: this file also runs under the Rasa interpreter.
"""

from __future__ import annotations

import pytest

from nlu.danger_parts import part_names
from nlu.red_flags import derived, detect_red_flags, text_facts
from nlu.resources import DATA_DIR, read_json
from nlu.symptoms import catalogue, match_symptoms
from nlu.text import tokenize
from nlu.vitals import Reading, assess, data, read_vitals, rules, vital_flags
from tests.support.phrases import phrases


def readings(text: str) -> list[tuple[str, float, float | None]]:
    return [(r.measure, round(r.value, 1), r.second) for r in read_vitals(text).readings]


@pytest.mark.parametrize(("text", "expected"), [
    ("104", []),  # a bare number says nothing
    ("tez bukhar 103", [("temperature", 39.4, None)]),
    ("temp 39.5", [("temperature", 39.5, None)]),
    ("ਬੁਖਾਰ 103", [("temperature", 39.4, None)]),
    ("बुखार १०४ है", [("temperature", 40.0, None)]),
    ("fever of 104 since morning", [("temperature", 40.0, None)]),
    ("102°F", [("temperature", 38.9, None)]),
    ("38.5 °C", [("temperature", 38.5, None)]),
    ("103 degree", [("temperature", 39.4, None)]),
    ("P 128", [("pulse", 128.0, None)]),
    ("pulse 38", [("pulse", 38.0, None)]),
    ("नब्ज़ 130", [("pulse", 130.0, None)]),
    ("ਨਬਜ਼ ੧੩੦", [("pulse", 130.0, None)]),
    ("heart rate is 45 bpm", [("pulse", 45.0, None)]),
    ("RR 60", [("resp_rate", 60.0, None)]),
    ("saans 50 per minute", [("resp_rate", 50.0, None)]),
    ("BP 80/50", [("bp", 80.0, 50.0)]),
    ("164/112", [("bp", 164.0, 112.0)]),
    ("बीपी 160/110", [("bp", 160.0, 110.0)]),
    ("ਬੀਪੀ ੧੬੦/੧੧੦", [("bp", 160.0, 110.0)]),
    ("blood pressure 150 by 100", [("bp", 150.0, 100.0)]),
    ("SPO2 89", [("spo2", 89.0, None)]),
    ("oxygen 88%", [("spo2", 88.0, None)]),
    ("ऑक्सीजन 85", [("spo2", 85.0, None)]),
    ("sugar 40", [("glucose", 40.0, None)]),
    ("sugar 450", [("glucose", 450.0, None)]),
    ("RBS 38 mg/dl", [("glucose", 38.0, None)]),
    ("sugar 2.5 mmol/L", [("glucose", 45.0, None)]),
    ("sugar 7.8", [("glucose", 140.4, None)]),
    ("ਸ਼ੂਗਰ 450", [("glucose", 450.0, None)]),
    ("T 103 P 128 SPO2 89", [("temperature", 39.4, None), ("pulse", 128.0, None), ("spo2", 89.0, None)]),
    ("ताप १०३ नब्ज़ १२८ ऑक्सीजन ८९", [("temperature", 39.4, None), ("pulse", 128.0, None), ("spo2", 89.0, None)]),
])
def test_reads_readings_in_every_script(text, expected):
    assert readings(text) == expected
    assert read_vitals(text).implausible == ()


@phrases("text", "measure", "shown")
def test_implausible_values_are_asked_back_never_used(text, measure, shown):
    vitals = read_vitals(text)
    assert vitals.readings == ()
    assert [(i.measure, i.shown) for i in vitals.implausible] == [(measure, shown)]


@phrases("text")
def test_durations_ages_doses_and_dates_are_not_readings(text):
    assert read_vitals(text).readings == () and read_vitals(text).implausible == ()


def ids(text: str, age: float | None = None, pregnant: bool | None = None) -> dict[str, str]:
    facts = text_facts(text) | ({"pregnant"} if pregnant else set())
    return {f.id: f.level for f in assess(read_vitals(text), facts, age)}


@phrases("text", "age", "pregnant", "expected")
def test_thresholds_by_age_pregnancy_and_symptoms(text, age, pregnant, expected):
    assert ids(text, age, pregnant) == expected


def test_news2_aggregate_of_readings_each_below_red():
    found = ids("T 102 P 112 RR 24", 40)
    assert found["news2_aggregate"] == "emergency"  # 1 + 2 + 2 = 5
    assert ids("T 101 P 100", 40) == {}  # 1 + 1


def test_registered_pregnancy_context_changes_the_verdict():
    text = "VISIT RP039 BP 160/110 sir dard aur dhundhla dikhna"
    without, with_pregnancy = detect_red_flags(text), detect_red_flags(text, pregnant=True)
    assert "vital_pregnancy_severe_hypertension" not in {f.id for f in without}
    assert "vital_pregnancy_severe_hypertension" in {f.id for f in with_pregnancy}


def test_emergency_findings_are_red_flags_with_value_threshold_and_source():
    flags = {f.id: f for f in detect_red_flags("T 103 P 128 SPO2 89")}
    flag = flags["vital_hypoxaemia"]
    assert flag.code == "breathlessness"
    assert "89%" in flag.reason and "<90%" in flag.reason and "WHO" in flag.reason
    assert not detect_red_flags("tez bukhar 103", age=30)  # urgent only: not a red flag
    assert vital_flags("temp 1040", set(), 30) == []


def test_implausible_never_lowers_a_verdict():
    assert {f.id for f in detect_red_flags("SPO2 85 temp 1040")} >= {"vital_hypoxaemia"}


def test_rules_are_valid_data():
    known = (set(catalogue()) | set(read_json(DATA_DIR / "red_flags.json")["signals"]) | part_names()
             | {name for name, _ in derived()})
    for rule in rules():
        assert rule.code in catalogue(), rule.id
        assert rule.with_any <= known, (rule.id, rule.with_any - known)
        assert rule.sources and rule.reason and rule.limit and rule.message.startswith("vital_")
    news2 = data()["news2"]
    assert set(news2["codes"].values()) <= set(catalogue())
    assert set(news2["consciousness"]) <= known


def test_reading_values_split_blood_pressure():
    assert Reading("bp", 160, 110).values() == {"systolic": 160, "diastolic": 110}
    assert Reading("bp", 90).values() == {"systolic": 90}


@pytest.mark.parametrize("text", [
    "sugar 45, age 60, pasina aa raha", "sugar 45, umar 60", "ਸ਼ੂਗਰ 45, ਉਮਰ 60", "शुगर 45, उम्र 60",
])
def test_an_age_label_after_a_reading_does_not_make_it_a_duration(text):
    """"age"/"umar" are listed as year units for "umar 35"; said after a number they begin the age,
    so the sugar of 45 before them is still read — and is a severe low sugar."""
    assert readings(text) == [("glucose", 45.0, None)]
    assert "vital_severe_hypoglycaemia" in {flag.id for flag in detect_red_flags(text)}


@pytest.mark.parametrize("text", [
    "I am diabetic aged 24, feeling tired", "sugar ki bimari hai, umar 45, kamzori", "ਸ਼ੂਗਰ ਦਾ ਮਰੀਜ਼ ਹਾਂ, ਉਮਰ 50",
])
def test_an_age_after_the_word_sugar_is_no_low_sugar(text):
    """A diabetic's age ("aged 24", "umar 45") after "sugar"/"diabetic" is not a glucose value."""
    assert readings(text) == []
    assert "low_blood_sugar" not in {m.label for m in match_symptoms(text, tokenize(text))}
