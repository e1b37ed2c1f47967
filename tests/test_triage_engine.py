"""Triage engine behaviour on a small development smoke set (the held-out vignettes are separate)."""

from __future__ import annotations

import pytest

from engine.triage import Engine
from tests.support.triage import engine_with_small_model

CONTRACT_KEYS = {"language", "symptoms", "urgency", "red_flags", "conditions", "specialist", "advice",
                 "explanation"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    eng = engine_with_small_model(tmp_path_factory.mktemp("triage-models"))
    assert eng.model is not None
    return eng


def ids(result) -> list[str]:
    return [c.id for c in result.conditions]


def test_contract_shape(engine):
    out = engine.triage("mujhe 3 din se bukhar aur sir dard hai", age=34, sex="f").to_contract()
    assert set(out) == CONTRACT_KEYS
    assert out["language"] == "hi"
    assert len(out["conditions"]) >= 3
    assert all(set(c) == {"name", "icd10", "probability"} for c in out["conditions"])
    probabilities = [c["probability"] for c in out["conditions"]]
    assert probabilities == sorted(probabilities, reverse=True)


@pytest.mark.parametrize(("text", "kwargs", "flag"), [
    ("chest pain and sweating since half an hour", {"age": 58, "sex": "m"}, "cardiac_chest_pain"),
    ("saanp ne kaat liya", {"age": 30, "sex": "m"}, "snake_bite"),
    (None, {"symptoms": ["facial_droop", "one_sided_weakness"], "age": 70, "sex": "m"}, None),
])
def test_red_flags_override_everything(engine, text, kwargs, flag):
    result = engine.triage(text, **kwargs)
    assert result.urgency == "emergency"
    assert result.specialist == "emergency"
    assert result.red_flags
    if flag:
        assert flag in result.red_flags
    assert "108" in result.advice


def test_emergency_advice_comes_first_in_the_users_language(engine):
    result = engine.triage("सीने में तेज़ दर्द और पसीना", age=60, sex="m")
    assert result.urgency == "emergency"
    assert result.advice.startswith("यह आपातकाल")


def test_fever_alone_suggests_the_common_fevers(engine):
    result = engine.triage("bukhar hai", age=30, sex="m")
    assert {"dengue", "malaria", "typhoid"} & set(ids(result)[:3])
    assert result.urgency in ("routine", "urgent")


@pytest.mark.parametrize(("text", "kwargs", "expected"), [
    ("fever with chills and sweating every other day", {"age": 30, "sex": "m"}, "malaria"),
    ("cough for 3 weeks, weight loss and night sweats", {"age": 40, "sex": "m"}, "tuberculosis"),
    ("burning urination and frequent urination", {"age": 28, "sex": "f"}, "uti"),
    ("itching all over worse at night, rash between fingers", {"age": 12, "sex": "m"}, "scabies"),
    ("loose motions and vomiting since morning", {"age": 25, "sex": "f"}, "gastroenteritis"),
    ("runny nose sneezing and mild sore throat", {"age": 30, "sex": "f"}, "common_cold"),
    ("red itchy eyes with watering", {"age": 20, "sex": "m"}, "conjunctivitis"),
    ("heel pain in the morning", {"age": 45, "sex": "f"}, "plantar_fasciitis"),
])
def test_typical_presentations_rank_in_top_three(engine, text, kwargs, expected):
    assert expected in ids(engine.triage(text, **kwargs))[:3]


def test_negated_symptom_argues_against(engine):
    with_rash = engine.triage(symptoms=["fever", "joint_pain", "rash"], age=30)
    no_rash = engine.triage(symptoms=["fever", "joint_pain"], negated=["rash"], age=30)
    p = {c.id: c.probability for c in with_rash.conditions}
    q = {c.id: c.probability for c in no_rash.conditions}
    assert p.get("chikungunya", 0) > q.get("chikungunya", 0) or "rash" in no_rash.negated


def test_pregnancy_routes_to_gynecologist_and_children_to_pediatrician(engine):
    pregnant = engine.triage(symptoms=["burning_urination", "frequent_urination"], age=26, sex="f", pregnant=True)
    assert pregnant.specialist in ("gynecologist", "emergency")
    child = engine.triage(symptoms=["diarrhoea", "vomiting"], age=3)
    assert child.specialist in ("pediatrician", "emergency")
    man = engine.triage(symptoms=["vaginal_bleeding", "abdominal_pain"], age=30, sex="m")
    assert not {"ectopic_pregnancy", "miscarriage", "antepartum_haemorrhage"} & set(ids(man))


def test_long_fever_is_at_least_urgent(engine):
    assert engine.triage(symptoms=["fever"], duration_days=10, age=30).urgency != "routine"


def test_result_carries_localized_condition_text(engine):
    top = engine.triage("खांसी और बुखार", age=30).conditions[0]
    assert set(top.names) == set(top.self_care) == set(top.warning_signs) == {"en", "hi", "pa"}


def test_unrecognised_text_gets_guidance_not_a_differential(engine):
    result = engine.triage("asdf qwerty zzz")
    assert result.conditions == [] and result.urgency == "routine" and "108" in result.advice


def test_next_question_is_informative_and_unasked(engine):
    q = engine.next_question(["fever"], [], age=30, sex="m")
    assert q is not None and q not in ("fever",)
    asked, present, negated = set(), ["fever"], []
    for _ in range(6):
        q = engine.next_question(present, negated, age=30, sex="m")
        if q is None:
            break
        assert q not in asked and q not in ("unconsciousness", "vaginal_bleeding", "pregnant")
        asked.add(q)
        negated.append(q)


def test_next_question_for_men_skips_female_only_symptoms(engine):
    for _ in range(3):
        q = engine.next_question(["abdominal_pain"], [], age=30, sex="m")
        assert q not in ("missed_period", "vaginal_bleeding", "menstrual_pain")


def test_question_text_in_three_languages():
    from engine.triage import question_text

    assert question_text("joint_pain", "en").startswith("Do you also have")
    assert "1" in question_text("joint_pain", "hi") and any("\u0900" <= ch <= "\u097f" for ch in question_text("joint_pain", "hi"))
    assert any("\u0a00" <= ch <= "\u0a7f" for ch in question_text("joint_pain", "pa"))


@pytest.mark.parametrize(("text", "kwargs", "flag"), [
    # Emergencies that used to reach the engine with no red flag (one per new rule, every language).
    ("शुगर बहुत कम हो गयी, पसीना और हाथ कांप रहे", {"age": 70, "sex": "f"}, "low_sugar_hypoglycaemia"),
    ("bachche ko bichhu ne kaat liya, ulti aur pasina", {"age": 7, "sex": "m"}, "scorpion_sting_systemic_shock"),
    ("ਸੱਪ ਨੇ ਬਾਪੂ ਜੀ ਦੇ ਪੈਰ ਤੇ ਡੰਗ ਮਾਰਿਆ", {"age": 60, "sex": "m"}, "snake_bite"),
    ("mahina nahi aaya, pet me dard aur chakkar aa ke gir gayi", {"age": 24, "sex": "f"},
     "possible_ectopic_pregnancy"),
    ("patalu ch achanak soj te ulti", {"age": 15, "sex": "m"}, "testicular_torsion"),
    ("I feel there is no point in living anymore", {"age": 19, "sex": "m"}, "suicidal_thoughts"),
    ("pet ke daayi taraf neeche dard, ulti aur bukhar", {"age": 14, "sex": "f"}, "acute_abdomen_surgical"),
])
def test_new_red_flags_make_an_emergency(engine, text, kwargs, flag):
    result = engine.triage(text, **kwargs)
    assert result.urgency == "emergency"
    assert flag in result.red_flags


def test_fast_breathing_alone_in_an_older_child_is_urgent_not_an_emergency(engine):
    """WHO IMCI: fast breathing alone at 2-59 months is pneumonia for oral treatment today."""
    result = engine.triage("bachche ko khansi bukhar aur saans tez chal rahi hai", age=3, sex="m")
    assert result.urgency == "urgent"
    assert engine.triage("bachche ki saans tez chal rahi hai", age=0.1).urgency == "emergency"


def test_blood_in_diarrhoea_is_dysentery_not_heavy_bleeding(engine):
    result = engine.triage("bachche ko dast me khoon aa raha hai aur pet dard", age=6, sex="f")
    assert "heavy_bleeding" not in result.red_flags
    assert "bloody_stool" in result.symptoms


@pytest.mark.parametrize(("text", "kwargs"), [
    ("mujhe 3 din se bukhar aur sir dard hai", {"age": 34, "sex": "f"}),
    ("pet mein dard aur ulti", {"age": 40, "sex": "m"}),
    ("khansi aur halka bukhar 2 din se", {"age": 25, "sex": "f"}),
    ("seene mein dard", {"age": 60, "sex": "m"}),
])
def test_urgency_does_not_depend_on_the_trained_classifier(engine, text, kwargs):
    """Urgency and the dangers watched come from the knowledge-base scorer alone, so a retrain (another
    seed, another version) can move the ranking but not the level: the same as with no classifier."""
    bare = Engine(kb=engine.kb, use_classifier=False)
    with_model, without = engine.triage(text, **kwargs), bare.triage(text, **kwargs)
    assert with_model.urgency == without.urgency
    assert [w.id for w in with_model.watch] == [w.id for w in without.watch]
