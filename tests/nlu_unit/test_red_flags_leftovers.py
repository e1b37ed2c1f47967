"""Issue #13 leftovers: a child who swallowed pills, readings said digit by digit, past events.

Each danger sign sits beside an everyday sentence that must stay quiet (sources in
data/red_flags.json: WHO Guidelines for poison control and the WHO/UNICEF child-injury report for
a child's ingestion; NICE epilepsy and WHO Basic Emergency Care for history vs. now).
"""
from __future__ import annotations

from nlu.numbers import spelled_numbers
from nlu.text import tokenize
from nlu.vitals import read_vitals
from tests.support.phrases import phrases
from tests.support.red_flags import fired, rules_fired


@phrases("text")
def test_a_child_who_swallowed_pills_is_a_poisoning(text: str) -> None:
    assert "poisoning" in rules_fired(text)


@phrases("text")
def test_a_dose_given_or_prescribed_is_not_a_poisoning(text: str) -> None:
    assert "poisoning" not in fired(text)


@phrases("text", "value")
def test_numbers_said_digit_by_digit(text: str, value: float) -> None:
    assert [n.value for n in spelled_numbers(tokenize(text))] == [value]


@phrases("text", "celsius")
def test_temperatures_said_digit_by_digit_are_read(text: str, celsius: float) -> None:
    assert [round(r.value, 2) for r in read_vitals(text).readings if r.measure == "temperature"] == [celsius]


@phrases("text")
def test_counting_is_not_a_reading(text: str) -> None:
    assert read_vitals(text).readings == ()


@phrases("text")
def test_a_past_event_is_history(text: str) -> None:
    assert not rules_fired(text)


@phrases("text", "rule")
def test_the_same_event_now_still_fires(text: str, rule: str) -> None:
    assert rule in rules_fired(text)


# --- urgent, not emergency: post-menopausal and post-coital bleeding (NICE NG12 suspected-cancer pathway) ---

def _urgent(text: str, **context) -> set[str]:
    from nlu.red_flags import urgent_signs

    return {flag.id for flag in urgent_signs(text, **context)}


@phrases("text", "age")
def test_postmenopausal_or_late_postcoital_bleeding_is_urgent(text: str, age: float | None) -> None:
    assert "postmenopausal_bleeding" in _urgent(text, age=age, sex="f")


@phrases("text", "age")
def test_younger_postcoital_bleeding_or_other_blood_is_not_the_cancer_pathway(text: str, age: float | None) -> None:
    assert not _urgent(text, age=age, sex="f")


# --- urgent, not 108: NICE NG12 suspected-cancer pathways (by age and persistence) and WHO IMCI yellow
# classifications (treatment from a health worker today); quiet when younger, short or a single sign ---

@phrases("text", "age", "rule")
def test_urgent_signs_are_urgent(text: str, age: float | None, rule: str) -> None:
    assert rule in _urgent(text, age=age)


@phrases("text", "age")
def test_near_misses_are_not_urgent(text: str, age: float | None) -> None:
    assert not _urgent(text, age=age)


# --- a poison taken by mouth in any words: the exposure verbs the poison mask reads (issue #13) ---

@phrases("text")
def test_a_poison_taken_by_any_mouth_verb_is_a_poisoning(text: str) -> None:
    assert "poisoning" in rules_fired(text)


@phrases("text")
def test_a_mouth_verb_without_a_poison_is_quiet(text: str) -> None:
    assert "poisoning" not in fired(text)
