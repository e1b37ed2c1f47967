"""next_question remembers its answers by evidence (issue #15, action server CPU): a form turn asks
it up to three times over the same slots. A remembered answer must be the one working it out gives."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.triage import engine as engine_module
from engine.triage import priors, questions
from engine.triage.engine import Engine
from engine.triage.evidence import Evidence, normalise

CASES = [
    (["fever", "headache"], [], 35, "m", None, None, None),
    (["cough", "fever"], ["headache"], 40, "f", False, dt.date(2026, 8, 14), None),
    (["abdominal_pain", "vomiting"], [], 28, None, None, dt.date(2026, 12, 7), "Punjab"),
    (["diarrhoea", "vomiting"], ["fever"], 5, "m", None, "2026-07-01", None),
    (["headache", "swelling_legs", "blurred_vision"], [], 35, "f", True, None, None),
]


def worked_out(kb, symptoms, negated, age, sex, pregnant, when, state):
    """What next_question gave before it remembered anything (its body then)."""
    ev = normalise(kb, Evidence(list(symptoms), list(negated), age, (sex or "").lower()[:1] or None, pregnant,
                                month=priors.month_of(when), state=state or None))
    return questions.best_question(kb, ev)


@pytest.fixture(scope="module")
def fresh():
    return Engine(use_classifier=False)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "+".join(c[0]))
def test_a_remembered_answer_is_the_worked_out_one(fresh, case):
    symptoms, negated, age, sex, pregnant, when, state = case
    expected = worked_out(fresh.kb, *case)
    for _ in range(2):  # the first call works it out, the second remembers it
        assert fresh.next_question(symptoms, negated, age=age, sex=sex, pregnant=pregnant, when=when,
                                   state=state) == expected


def test_the_same_evidence_is_worked_out_once_and_other_evidence_again(monkeypatch):
    engine = Engine(use_classifier=False)
    calls = []
    real = questions.best_question
    monkeypatch.setattr(questions, "best_question", lambda kb, ev: calls.append(ev) or real(kb, ev))
    for _ in range(3):
        engine.next_question(["fever", "headache"], [], age=30, sex="m")
    assert len(calls) == 1
    engine.next_question(["fever", "headache"], ["neck_stiffness"], age=30, sex="m")
    engine.next_question(["fever", "headache"], [], age=31, sex="m")
    engine.next_question(["fever", "headache"], [], age=30, sex="m", when=dt.date(2026, 8, 1))
    assert len(calls) == 4
    engine.forget_questions()
    engine.next_question(["fever", "headache"], [], age=30, sex="m")
    assert len(calls) == 5


def test_it_remembers_a_bounded_number(monkeypatch):
    monkeypatch.setattr(engine_module, "QUESTIONS_REMEMBERED", 3)
    monkeypatch.setattr(questions, "best_question", lambda kb, ev: None)
    engine = Engine(use_classifier=False)
    for age in range(10):
        engine.next_question(["fever"], [], age=age)
    assert len(engine._questions) == 3
