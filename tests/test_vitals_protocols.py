"""Readings as people and ASHAs write them, judged by the protocol thresholds (issue #13 item 3).

Own cases, written from the protocols themselves and not from any evaluation set: breathing rate
told in romanized Hindi/Punjabi, Devanagari and Gurmukhi (with their digits) and clinical shorthand;
a baby's age in days, weeks and months choosing the WHO IMCI fast-breathing cut-off (under 2 months
60/min or more, 2-12 months 50 or more, 1-5 years 40 or more); RCP NEWS2 for adults (a breathing
rate of 25 or more scores 3: an emergency on its own; the aggregate with fever); blood pressure of
180/120 or more with headache, vomiting or confusion as a hypertensive emergency (ACC/AHA 2017,
Indian Guidelines on Hypertension IV); and everyday sentences that must not raise an alarm.
"""

from __future__ import annotations

import pytest

from engine.triage import Engine
from nlu.red_flags import detect_red_flags
from nlu.slots import age_in_text, parse_duration_days
from nlu.vitals import cite, read_vitals, rules
from tests.support.phrases import phrases


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_classifier=False)  # thresholds and rules do not depend on the classifier


def breathing_rate(text: str) -> float | None:
    return next((r.value for r in read_vitals(text).readings if r.measure == "resp_rate"), None)


@phrases("text")
def test_breathing_rate_in_every_phrasing(text):
    assert breathing_rate(text) == 66, read_vitals(text)


@phrases("text")
def test_no_breathing_rate_where_none_is_given(text):
    assert breathing_rate(text) is None, read_vitals(text)


@pytest.mark.parametrize(("text", "years"), [
    ("5 din da bachcha", 5 / 365),
    ("5 दिन का बच्चा", 5 / 365),
    ("ਪੰਜ ਦਿਨਾਂ ਦਾ ਬੱਚਾ", 5 / 365),
    ("10 din ki bachi hai", 10 / 365),
    ("2 hafte ka bachcha", 14 / 365),
    ("3 weeks old baby", 21 / 365),
    ("3 mahine ka bachcha hai", 0.25),
    ("teen mahine ki beti", 0.25),
    ("ਤਿੰਨ ਮਹੀਨਿਆਂ ਦਾ ਮੁੰਡਾ", 0.25),
    ("baby 3 mahine, saans 55", 0.25),
    ("baby age 3 months", 0.25),
    ("bachche ki umar 3 mahine", 0.25),
    ("2 saal ka beta", 2.0),
])
def test_an_infants_age_in_days_weeks_months(text, years):
    assert age_in_text(text) == pytest.approx(years, abs=0.002)


def test_an_age_word_never_makes_a_duration():
    assert parse_duration_days("bachche ki umar 3 mahine, 2 din se bukhar") == 2
    assert age_in_text("mere bete ko 3 din se bukhar") is None
    assert age_in_text("beta 3 din bukhar hai") is None  # no clause end: not read as a 3-day-old


@phrases("text", "expected", "rule")
def test_imci_fast_breathing_by_age(engine, text, expected, rule):
    result = engine.triage(text)
    assert result.urgency == expected, (result.urgency, result.vitals)
    assert rule in {f.id for f in result.vitals}


@pytest.mark.parametrize("text", [
    "3 mahine ka bachcha hai, saans 45 per minute",   # under the 50 of 2-12 months
    "2 saal ka beta hai, saans 36 per minute",        # under the 40 of 1-5 years
])
def test_below_the_imci_cut_off_no_fast_breathing(engine, text):
    result = engine.triage(text)
    assert not [f for f in result.vitals if "breathing" in f.id], result.vitals


@pytest.mark.parametrize(("text", "ids"), [
    # NEWS2: respiratory rate 25 or more scores 3, an emergency response on its own
    ("mujhe bukhar hai, saans 26 per minute", {"news2_resp_rate_high"}),
    ("ਬੁਖ਼ਾਰ ਹੈ ਤੇ ਸਾਹ ੨੮ ਪ੍ਰਤੀ ਮਿੰਟ", {"news2_resp_rate_high"}),
    # aggregate: RR 28 (3) + temperature 38.9 (1) + pulse 115 (2) = 6
    ("bukhar 102, saans 28 per minute, nabz 115", {"news2_resp_rate_high", "news2_aggregate"}),
    # aggregate without a single 3: RR 22 (2) + pulse 115 (2) + temperature 39.4 (2) = 6
    ("tez bukhar 103, saans 22, pulse 115", {"news2_aggregate"}),
])
def test_news2_adult_breathing_and_fever(engine, text, ids):
    result = engine.triage(text, age=40)
    assert result.urgency == "emergency", result.vitals
    assert ids <= {f.id for f in result.vitals}


def test_news2_breathing_21_to_24_is_urgent_not_emergency(engine):
    result = engine.triage("bukhar hai, saans 22 per minute", age=40)
    assert result.urgency == "urgent", result.vitals
    assert "news2_resp_rate_high" in {f.id for f in result.vitals}


@phrases("text")
def test_hypertensive_emergency(engine, text):
    result = engine.triage(text, age=55)
    assert result.urgency == "emergency", (result.urgency, result.vitals)
    finding = next(f for f in result.vitals if f.measure == "bp")
    assert finding.id in ("hypertensive_encephalopathy", "hypertensive_emergency")
    assert "vital_" + finding.id in result.red_flags


def test_hypertensive_emergency_names_its_sources():
    rule = next(r for r in rules() if r.id == "hypertensive_encephalopathy")
    assert "ACC/AHA" in cite(rule.sources) and "Indian" in cite(rule.sources)
    assert rule.conditions == (("systolic", ">=", 180.0), ("diastolic", ">=", 120.0))


def test_severe_bp_without_those_symptoms_is_urgent(engine):
    result = engine.triage("BP 185/122 hai, thoda chakkar", age=60)
    assert result.urgency == "urgent" and "severe_hypertension" in {f.id for f in result.vitals}


@phrases("text")
def test_known_false_alarms_stay_quiet(text):
    assert not [f.id for f in detect_red_flags(text) if f.id != "safety_net"]


@phrases("text")
def test_the_real_danger_signs_next_to_them_still_fire(text):
    assert detect_red_flags(text), text


@phrases("text", "measure", "value")
def test_readings_said_the_way_people_say_them(text, measure, value):
    found = [r.value for r in read_vitals(text).readings if r.measure == measure]
    assert found == [value], read_vitals(text)


@pytest.mark.parametrize(("text", "shown"), [
    ("BP 160-110, 8 mahine pregnant, sir dard", "160/110 mmHg"),   # a dash after a BP keyword
    ("bp 140-150 rehta hai", "140 mmHg"),                           # a rising pair is a range, not 140/150
])
def test_blood_pressure_with_a_dash(text, shown):
    assert [r.shown for r in read_vitals(text).readings if r.measure == "bp"] == [shown]


@phrases("text")
def test_no_meter_reading_where_none_is_given(text):
    assert not [r for r in read_vitals(text).readings if r.measure in ("glucose", "bp")], read_vitals(text)


@phrases("text")
def test_those_readings_are_emergencies(engine, text):
    assert engine.triage(text).urgency == "emergency"


@phrases("text", "shown")
def test_upper_and_lower_blood_pressure_said_apart(text, shown):
    assert [r.shown for r in read_vitals(text).readings] == [shown]


def test_a_lower_blood_pressure_alone_counts_in_pregnancy(engine):
    """ACOG PB 222: a diastolic of 110 or more in pregnancy is severe-range on its own."""
    result = engine.triage("diastolic 115, 8 mahine pregnant, sir dard", sex="f")
    assert result.urgency == "emergency"
    assert read_vitals("diastolic 300").implausible  # asked back, never used


@phrases("text", "kwargs")
def test_fever_with_a_fast_pulse_in_pregnancy_is_maternal_sepsis(engine, text, kwargs):
    """RCOG GTG 64a/b, WHO 2017: a fever of 38 °C or more with a pulse above 110 in pregnancy or after
    delivery; neither reading alone is an emergency, and outside pregnancy the pair is not this rule."""
    from engine.emergency import advice_keys
    from engine.i18n import t

    result = engine.triage(text, **kwargs)
    assert result.urgency == "emergency" and "maternal_sepsis_vitals" in {f.id for f in result.vitals}
    assert "core_emergency_tip_sepsis" in advice_keys(["vital_maternal_sepsis_vitals"])
    assert all(t("vital_maternal_sepsis", lang) != "vital_maternal_sepsis" for lang in ("en", "hi", "pa"))
    assert "maternal_sepsis_vitals" not in {f.id for f in engine.triage("temp 39 pulse 130", sex="m").vitals}
    assert "maternal_sepsis_vitals" not in {f.id for f in engine.triage("8 mahine pregnant, temp 37.8, pulse 100",
                                                                          sex="f").vitals}
