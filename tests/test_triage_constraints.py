"""Conditions that cannot apply are never listed, whatever the classifier says (issue #16 item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.triage import Engine
from engine.triage.evidence import Evidence, feasible, normalise
from tests.support.triage import engine_with_small_model


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return engine_with_small_model(tmp_path_factory.mktemp("triage-models"))


def codes(result) -> list[str]:
    return [c.icd10 for c in result.conditions]


def test_pre_eclampsia_is_never_listed_for_a_man(engine):
    text = "bad headache, swelling in my feet and blurred vision"
    assert "O14.9" in codes(engine.triage(text, age=28, sex="f", pregnant=True))
    for kwargs in ({"age": 35, "sex": "m"}, {"age": 35, "sex": "f", "pregnant": False}, {"age": 70, "sex": "f"}):
        result = engine.triage(text, **kwargs)
        assert not any(c.startswith("O") for c in codes(result)), (kwargs, codes(result))
        assert all(engine.kb.by_id(c.id).allows(kwargs["age"], kwargs["sex"], kwargs.get("pregnant"))
                   for c in result.conditions + result.watch)


def test_a_classifier_that_favours_an_impossible_condition_cannot_list_it(engine, monkeypatch):
    """The classifier learns the limits only approximately (the issue's case: pre-eclampsia third for
    a man); the engine must drop what cannot apply whatever the classifier says."""
    kb = engine.kb
    target = next(i for i, c in enumerate(kb.conditions) if c.icd10 == "O14.9")

    def favouring(_booster, x):
        p = np.full((len(np.atleast_2d(x)), len(kb)), 0.1 / (len(kb) - 1))
        p[:, target] = 0.9
        return p

    monkeypatch.setattr("engine.triage.engine.predict", favouring)
    text = "bad headache, swelling in my feet and blurred vision"
    assert "O14.9" in codes(engine.triage(text, age=28, sex="f", pregnant=True))
    assert "O14.9" not in codes(engine.triage(text, age=35, sex="m"))
    assert "O14.9" not in codes(engine.triage(text, age=35, sex="f", pregnant=False))


@pytest.mark.parametrize(("age", "sex", "pregnant"), [
    (35, "m", None), (25, "f", False), (25, "f", True), (0.05, "m", None), (3, "f", None), (8, "m", None),
    (75, "f", None), (75, "m", None), (None, "m", None), (40, None, None),
])
def test_every_listed_condition_allows_the_person(engine, age, sex, pregnant):
    """Across many symptom mixes, nothing on the list (or watched) is excluded by the person's facts.

    A finding that implies a pregnancy (waters leaking, labour pains) makes the engine take the
    woman as pregnant whatever the form said (``evidence.normalise``: the safer reading), so the
    facts checked are the normalised ones."""
    from engine.triage.evidence import Evidence, normalise

    rng = np.random.default_rng(11)
    kb = engine.kb
    for _ in range(25):
        present = list(rng.choice(kb.symptoms, size=int(rng.integers(1, 5)), replace=False))
        result = engine.triage(symptoms=present, age=age, sex=sex, pregnant=pregnant)
        facts = normalise(kb, Evidence(present, [], age, sex, pregnant))
        for c in result.conditions + result.watch:
            assert kb.by_id(c.id).allows(age, sex, facts.pregnant), (c.id, age, sex, pregnant, present)


def test_febrile_seizure_only_between_six_months_and_five_years(engine):
    kb = engine.kb
    i = next(i for i, c in enumerate(kb.conditions) if c.icd10 == "R56.0")
    for age, expected in ((0.3, False), (0.6, True), (4, True), (6.5, False), (30, False)):
        ev = normalise(kb, Evidence(["fever", "seizure"], [], age, "m", None))
        assert feasible(kb, ev)[i] == expected, age
        listed = "R56.0" in codes(engine.triage(symptoms=["fever", "seizure"], age=age, sex="m"))
        assert listed <= expected, age


@pytest.mark.parametrize("text", ["lower belly pain and pain while passing urine", "white discharge and itching",
                                  "itching and burning while passing urine"])
def test_male_and_female_conditions_stay_with_their_sex(engine, text):
    kb = engine.kb
    for sex in ("m", "f"):
        listed = engine.triage(text, age=30, sex=sex).conditions
        assert listed
        assert all(kb.by_id(c.id).sex_factor[sex] > 0 for c in listed), (sex, [c.id for c in listed])


def test_questions_never_chase_an_impossible_condition(engine):
    """For a man, the follow-up question is never about pregnancy-only findings."""
    asked = engine.next_question(["headache", "swelling_legs", "blurred_vision"], [], age=35, sex="m")
    assert asked not in {"reduced_fetal_movement", "vaginal_bleeding", "missed_period"}


def test_vectorised_limits_agree_with_condition_allows(engine):
    """``feasible`` (numpy, used per call) and ``Condition.allows`` (readable, per entry) never differ."""
    kb = engine.kb
    for age in (None, 0.05, 0.3, 0.7, 2, 5.5, 6, 9, 12, 15, 30, 40, 55, 59.9, 60, 80):
        for sex in (None, "m", "f"):
            for pregnant in (None, True, False):
                ev = Evidence([], [], age, sex, pregnant)
                expected = [c.allows(age, sex, pregnant) for c in kb.conditions]
                assert feasible(kb, ev).tolist() == expected, (age, sex, pregnant)
