"""Readings and cannot-rule-out dangers in the triage engine: urgency, explanation and advice in the
user's language, and the implausible value asked back (issue #13 items 3 and 4)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.i18n import LANGUAGES, catalogue, t
from engine.triage import Engine, urgency
from engine.triage.evidence import Evidence
from engine.triage.explain import vital_line
from nlu.vitals import MEASURES, data, rules


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_classifier=False)  # the KB scorer alone: fast, and these rules do not depend on it


@pytest.mark.parametrize(("text", "kwargs", "flag"), [
    ("T 103 P 128 SPO2 89", {"age": 25, "sex": "f"}, "vital_hypoxaemia"),
    ("BP 164/112, bahut tez sir dard, 8 mahine ki garbhvati", {"age": 26, "sex": "f"},
     "vital_pregnancy_severe_hypertension"),
    ("BP 160/110 sir dard aur dhundhla dikhna", {"age": 26, "sex": "f", "pregnant": True},
     "vital_pregnancy_severe_hypertension"),
    ("pulse 38 hai aur chakkar aa raha hai", {"age": 68, "sex": "m"}, "vital_news2_pulse_low"),
    ("sugar 40 aa raha hai, pasina", {"age": 55}, "vital_severe_hypoglycaemia"),
    ("ਬੱਚੇ ਦਾ ਸਾਹ 64 ਪ੍ਰਤੀ ਮਿੰਟ", {"age": 0.1}, "vital_young_infant_fast_breathing"),
    ("ऑक्सीजन 85 है, खांसी", {"age": 60}, "vital_hypoxaemia"),
])
def test_emergency_readings(engine, text, kwargs, flag):
    result = engine.triage(text, **kwargs)
    assert result.urgency == "emergency" and result.specialist == "emergency"
    assert flag in result.red_flags
    finding = next(f for f in result.vitals if "vital_" + f.id == flag)
    assert vital_line(finding, result.language) in result.explanation
    assert result.advice.startswith(t("triage_advice_emergency", result.language))


@pytest.mark.parametrize(("text", "kwargs"), [
    ("tez bukhar 103", {"age": 30, "sex": "m"}),
    ("sugar 450, pyaas bahut", {"age": 50, "sex": "m"}),
    ("BP 150/95, garbhvati hoon", {"age": 24, "sex": "f"}),
    ("RR 52, khansi", {"age": 0.5}),
])
def test_urgent_readings_raise_routine_to_urgent(engine, text, kwargs):
    result = engine.triage(text, **kwargs)
    assert result.urgency == "urgent", (result.urgency, result.vitals)
    assert not [f for f in result.red_flags if f.startswith("vital_")]
    urgent = [f for f in result.vitals if f.level == "urgent"]
    assert urgent and t("triage_explain_vitals", result.language,
                        readings=vital_line(urgent[0], result.language))[:20] in result.explanation


def test_a_reading_alone_still_decides(engine):
    assert engine.triage("BP 80/50").urgency == "emergency"
    assert engine.triage("sugar 320").urgency == "urgent"


@pytest.mark.parametrize("language", LANGUAGES)
def test_implausible_value_is_asked_back_and_never_lowers(engine, language):
    plain = engine.triage("bukhar hai", age=30, language=language)
    odd = engine.triage("temp 1040 bukhar hai", age=30, language=language)
    assert urgency.URGENCY_LEVELS.index(odd.urgency) >= urgency.URGENCY_LEVELS.index(plain.urgency)
    assert [(u.measure, u.shown) for u in odd.vitals_unclear] == [("temperature", "1040")]
    asked = t("vital_unclear", language, measure=t("vital_measure_temperature", language), value="1040")
    assert asked in odd.advice and odd.vitals == []
    nothing = engine.triage("pulse 900", language=language)
    assert t("vital_unclear", language, measure=t("vital_measure_pulse", language), value="900") in nothing.advice


def test_every_rule_message_exists_in_three_languages():
    keys = {rule.message for rule in rules()}
    keys |= {k for d in data()["news2"]["messages"].values() for k in (d.values() if isinstance(d, dict) else [d])}
    keys |= {f"vital_measure_{m}" for m in MEASURES}
    for key in keys | {"vital_unclear", "triage_explain_vitals", "triage_advice_cannot_rule_out"}:
        assert all(catalogue()[key].get(lang) for lang in LANGUAGES), key


# -- cannot rule out ------------------------------------------------------------------------------


def _probabilities(engine: Engine, leading: str, danger: str, p_danger: float) -> np.ndarray:
    probs = np.zeros(len(engine.kb))
    probs[engine.kb.index[leading]] = 1 - p_danger
    probs[engine.kb.index[danger]] = p_danger
    return probs


def test_threshold_follows_the_stated_error_costs():
    assert pytest.approx(1 / (1 + 9)) == urgency.CANNOT_RULE_OUT
    assert urgency.CANNOT_RULE_OUT < urgency.EMERGENCY_MASS


@pytest.mark.parametrize(("p_danger", "expected"), [(0.05, "routine"), (0.10, "urgent"), (0.2, "urgent"),
                                                     (0.3, "emergency")])
def test_a_danger_with_meaningful_probability_raises_urgency(engine, p_danger, expected):
    probs = _probabilities(engine, "common_cold", "meningitis", p_danger)
    assert urgency.decide(engine.kb, probs, Evidence(["runny_nose"], age=30), []) == expected
    assert (urgency.dangers(engine.kb, probs) == [engine.kb.index["meningitis"]]) == (p_danger >= 0.1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answer_names_the_danger_and_its_warning_signs(engine, language, monkeypatch):
    probs = _probabilities(engine, "tension_headache", "meningitis", 0.15)
    monkeypatch.setattr(engine, "probabilities", lambda ev, scores=None: probs)
    monkeypatch.setattr(engine, "urgency_probabilities", lambda ev, scores=None: probs)
    result = engine.triage("sir dard", age=30, language=language)
    assert result.urgency == "urgent" and [w.id for w in result.watch] == ["meningitis"]
    meningitis = engine.kb.by_id("meningitis")
    assert t("triage_advice_cannot_rule_out", language, condition=meningitis.name(language),
             warning=meningitis.warning_signs[language]) in result.advice


def test_nothing_to_watch_when_already_an_emergency(engine, monkeypatch):
    probs = _probabilities(engine, "tension_headache", "meningitis", 0.15)
    monkeypatch.setattr(engine, "probabilities", lambda ev, scores=None: probs)
    monkeypatch.setattr(engine, "urgency_probabilities", lambda ev, scores=None: probs)
    result = engine.triage("sir dard, SPO2 85", age=30, language="en")
    assert result.urgency == "emergency" and result.watch == []
