"""Red-flag rules: every rule fires in English, Hindi and Punjabi; negated mentions never fire.

Stdlib + pytest only: this file also runs under the Rasa interpreter (Python 3.10).
"""

from __future__ import annotations

import pytest

from nlu.red_flags import RULES_VERSION, detect_red_flags, rules
from tests.support.phrases import phrases, rows
from tests.support.red_flags import fired

# rule id -> (English, Hindi, Punjabi) messages, each in a script/spelling people actually type.
EXAMPLES = {rule_id: texts for rule_id, *texts in rows("nlu_red_flags", "examples", 4)}
AGE_FOR = {"young_infant_fever": 0.1}



def test_every_rule_has_examples_a_source_and_a_version():
    assert RULES_VERSION
    assert {rule.id for rule in rules()} == set(EXAMPLES)
    assert all(rule.source and rule.reason for rule in rules())


@pytest.mark.parametrize(
    ("rule_id", "language", "text"),
    [(rule_id, lang, text) for rule_id, texts in EXAMPLES.items() for lang, text in zip(("en", "hi", "pa"), texts, strict=True)],
)
def test_rule_fires_in_every_language(rule_id, language, text):
    assert rule_id in fired(text, age=AGE_FOR.get(rule_id))


@phrases("text")
def test_negated_mentions_never_fire(text):
    assert fired(text) == set()


@phrases("text")
def test_ordinary_complaints_are_not_emergencies(text):
    assert fired(text) == set()


def test_reason_is_technical_english_and_names_the_matched_facts():
    (flag,) = detect_red_flags("chest pain and sweating")
    assert flag.code == "chest_pain"
    assert "chest_pain" in flag.reason and "sweating" in flag.reason


def test_given_symptoms_and_context_count_even_when_text_says_nothing():
    assert "stroke_signs" in fired("", symptoms=["facial_droop"])
    assert "pregnancy_bleeding" in fired("neeche se khoon aa raha hai", pregnant=True)
    assert "pregnancy_bleeding" not in fired("neeche se khoon aa raha hai")
    assert "pregnancy_bleeding" not in fired("pregnant, neeche se khoon", sex="m")


def test_child_context_comes_from_age_or_child_words():
    assert "child_lethargic" in fired("very drowsy", age=2)
    assert "child_lethargic" not in fired("very drowsy", age=40)
    assert "child_lethargic" not in fired("mera baccha bahut sust hai", age=30)  # a known age wins
    assert "young_infant_fever" not in fired("baby has fever")  # needs a known age


def test_heart_attack_phrase_is_not_read_as_a_fit():
    assert fired("dil ka daura") == {"cardiac_chest_pain"}


@phrases("text", "rule_id")
def test_free_descriptions(text, rule_id):
    assert rule_id in fired(text)


@phrases("text")
def test_stopped_symptoms_durations_and_pregnancy_months_are_not_emergencies(text):
    assert fired(text) == set()


@phrases("text", "rule_id")
def test_narrative_descriptions(text, rule_id):
    assert rule_id in fired(text)


@phrases("text", "context", "rule_id")
def test_new_capabilities(text, context, rule_id):
    assert rule_id in fired(text, **context)


def test_private_part_pain_in_a_woman_is_not_torsion():
    assert "testicular_torsion" not in fired("private part me dard", sex="f", age=20)
