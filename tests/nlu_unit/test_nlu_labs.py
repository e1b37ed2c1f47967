"""Laboratory values in free text ("Hb 5", "K 7.2", "Na 118", "creatinine 4.5") read by the same code as
the vital signs (``nlu.vitals``), in Latin, Devanagari and Gurmukhi digits, with the thresholds of named
sources (issue #13). Each rule stands beside an everyday sentence that must stay quiet."""

from __future__ import annotations

import pytest

from nlu.red_flags import detect_red_flags
from nlu.vitals import LAB_MEASURES, assess, data, read_vitals, rules
from tests.support.phrases import phrases


def levels(text: str, facts: tuple[str, ...] = ()) -> dict[str, str]:
    return {f.id: f.level for f in assess(read_vitals(text), facts)}


@phrases("text", "measure", "value")
def test_lab_values_are_read_in_every_script(text, measure, value):
    readings = read_vitals(text).readings
    assert [(r.measure, r.value) for r in readings] == [(measure, value)], readings


@pytest.mark.parametrize(("text", "rule", "level", "facts"), [
    ("Hb 4.5", "very_severe_anaemia", "emergency", ()),
    ("hb 6 hai, saans phoolti hai", "symptomatic_severe_anaemia", "emergency", ("breathlessness",)),
    ("Hb 7.5", "severe_anaemia", "urgent", ()),
    ("K 7.2", "severe_hyperkalaemia", "emergency", ()),
    ("potassium 6.2", "moderate_hyperkalaemia", "urgent", ()),
    ("K 2.1", "severe_hypokalaemia", "emergency", ()),
    ("Na 122 aur ulti", "symptomatic_hyponatraemia", "emergency", ("vomiting",)),
    ("Na 118", "profound_hyponatraemia", "urgent", ()),
    ("creatinine 4.5", "creatinine_stage3", "urgent", ()),
])
def test_lab_thresholds_raise_urgency_and_say_why(text, rule, level, facts):
    assert levels(text, facts).get(rule) == level
    finding = next(f for f in assess(read_vitals(text), facts) if f.id == rule)
    assert finding.source and finding.reason.startswith(f"{finding.measure} {finding.shown}:")


@phrases("text")
def test_ordinary_lab_values_are_read_and_stay_quiet(text):
    vitals = read_vitals(text)
    assert [r.measure for r in vitals.readings if r.measure in LAB_MEASURES]
    assert assess(vitals) == []


@phrases("text")
def test_everyday_sentences_stay_quiet(text):
    vitals = read_vitals(text)
    assert not [r for r in vitals.readings if r.measure in LAB_MEASURES], vitals
    assert not [i for i in vitals.implausible if i.measure in LAB_MEASURES]
    assert not [f for f in assess(vitals) if f.measure in LAB_MEASURES]


def test_bp_after_small_k_is_still_read():
    assert [(r.measure, r.value, r.second) for r in read_vitals("bp k 150/90 hai").readings] == [("bp", 150, 90)]


@phrases("text", "measure", "shown")
def test_implausible_lab_values_are_asked_back(text, measure, shown):
    vitals = read_vitals(text)
    assert vitals.readings == ()
    assert [(i.measure, i.shown) for i in vitals.implausible] == [(measure, shown)]


def test_emergency_lab_values_are_red_flags():
    assert [f.id for f in detect_red_flags("K 7.2")] == ["vital_severe_hyperkalaemia"]
    assert "vital_very_severe_anaemia" in [f.id for f in detect_red_flags("Hb 4.2 g/dl")]
    assert "vital_symptomatic_severe_anaemia" in [f.id for f in detect_red_flags("hb 6 hai aur saans phool rahi hai")]
    assert "vital_symptomatic_hyponatraemia" in [f.id for f in detect_red_flags("sodium 120, ulti aur uljhan")]
    assert not [f for f in detect_red_flags("Hb 10.5 aur thakan") if f.id.startswith("vital_")]


def test_every_lab_rule_names_its_source():
    sources = data()["sources"]
    lab_rules = [r for r in rules() if any(m in LAB_MEASURES for m, _, _ in r.conditions)]
    assert {m for r in lab_rules for m, _, _ in r.conditions} == set(LAB_MEASURES)
    assert all(r.sources and all(s in sources for s in r.sources) for r in lab_rules)


@pytest.mark.parametrize(("text", "facts", "expected"), [
    # WHO Pocket Book (2013): transfuse at "Hb of 4 g/dl or less", or 4-6 g/dl with a danger sign; the
    # emergency line here is wider on the safe side (below 5 alone), so Hb exactly 5 alone is severe anaemia
    ("Hb 5", (), {"severe_anaemia": "urgent"}),
    ("hb 5.0 g/dl", (), {"severe_anaemia": "urgent"}),
    ("Hb 4.9", (), {"very_severe_anaemia": "emergency"}),
    ("Hb 5, saans phoolti hai", ("breathlessness",), {"symptomatic_severe_anaemia": "emergency"}),
    # ESE 2014: "'profound' hyponatraemia ... serum sodium concentration <125 mmol/l"; 125 is moderate
    ("Na 125", (), {}),
    ("Na 124", (), {"profound_hyponatraemia": "urgent"}),
    ("Na 118", (), {"profound_hyponatraemia": "urgent"}),
    # hypernatraemia (BMJ Best Practice 2024, NHS GGC 2021): ">145", severe ">152/>155/>160"
    ("Na 145", (), {}),
    ("Na 146", (), {"hypernatraemia": "urgent"}),
    ("sodium 152, susti", ("lethargy",), {"hypernatraemia": "urgent"}),
    ("sodium 153, susti", ("lethargy",), {"symptomatic_hypernatraemia": "emergency"}),
    ("सोडियम १५८, उलझन", ("confusion",), {"symptomatic_hypernatraemia": "emergency"}),
    ("Na 160", (), {"hypernatraemia": "urgent"}),
    ("ਸੋਡੀਅਮ ੧੬੧", (), {"severe_hypernatraemia": "emergency"}),
])
def test_lab_thresholds_at_their_exact_limits(text, facts, expected):
    """The most urgent finding of each measure (``assess`` keeps one per measure)."""
    assert levels(text, facts) == expected


def test_high_sodium_is_a_red_flag():
    assert "vital_severe_hypernatraemia" in [f.id for f in detect_red_flags("Na 168")]
    assert "vital_symptomatic_hypernatraemia" in [f.id for f in detect_red_flags("sodium 156 hai, bahut susti aur uljhan")]
    assert not [f for f in detect_red_flags("Na 150") if f.id.startswith("vital_")]


def test_a_value_before_the_next_measure_is_read():
    """"Na 166 K 5.1": the next measure's name ends the value as a symptom does ("Na 166 susti")."""
    assert [(r.measure, r.value) for r in read_vitals("Na 166 K 5.1").readings] == [("sodium", 166.0),
                                                                                    ("potassium", 5.1)]
