"""Laboratory values through the triage engine (``saathi triage``, the bot) and ASHA ``VISIT``: one code
path (``nlu.vitals``), urgency raised with the reason in the user's language, and an implausible value
asked back (issue #13). The reading rules themselves: tests/nlu_unit/test_nlu_labs.py."""

from __future__ import annotations

import re

import pytest

from engine.i18n import t
from engine.triage import Engine
from engine.triage.explain import vital_line
from tests.support.asha import new_phone, verified_worker

pytest_plugins = ["tests.asha_fixtures", "tests.channels_fixtures"]
CODE = re.compile(r"[A-Z]{2}\d{3}")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_classifier=False)


@pytest.mark.parametrize(("text", "kwargs", "flag"), [
    ("K 7.2 aaya report mein", {"age": 62, "sex": "m"}, "vital_severe_hyperkalaemia"),
    ("हीमोग्लोबिन 4.5 है, बहुत कमज़ोरी", {"age": 30, "sex": "f"}, "vital_very_severe_anaemia"),
    ("ਖ਼ੂਨ ੬ ਹੈ ਤੇ ਸਾਹ ਚੜ੍ਹਦਾ ਹੈ", {"age": 40, "sex": "f"}, "vital_symptomatic_severe_anaemia"),
    ("sodium 118, ulti aur uljhan", {"age": 75}, "vital_symptomatic_hyponatraemia"),
    ("Na 168 aaya report mein", {"age": 80, "sex": "f"}, "vital_severe_hypernatraemia"),
    ("सोडियम 156 है, बहुत सुस्ती", {"age": 78, "sex": "m"}, "vital_symptomatic_hypernatraemia"),
])
def test_emergency_lab_values(engine, text, kwargs, flag):
    result = engine.triage(text, **kwargs)
    assert result.urgency == "emergency", (result.urgency, result.red_flags)
    assert flag in result.red_flags
    finding = next(f for f in result.vitals if "vital_" + f.id == flag)
    assert vital_line(finding, result.language) in result.explanation


@pytest.mark.parametrize("text", ["Hb 6.5 g/dl", "Hb 5", "Na 118", "Na 150", "creatinine 4.5 mg/dl", "potassium 6.1"])
def test_urgent_lab_values_raise_routine_to_urgent(engine, text):
    result = engine.triage(text, age=45, sex="m")
    assert result.urgency == "urgent", (result.urgency, result.vitals)
    urgent = [f for f in result.vitals if f.level == "urgent"]
    assert urgent and vital_line(urgent[0], result.language) in result.explanation


@pytest.mark.parametrize("text", ["khoon 5 baar aaya, ab theek", "hb 11 hai, thodi thakan", "K 7 baje aaunga"])
def test_everyday_sentences_with_numbers_stay_quiet(engine, text):
    result = engine.triage(text, age=30, sex="f")
    assert not [f for f in result.vitals if f.measure in ("haemoglobin", "potassium", "sodium", "creatinine")]


def test_implausible_lab_value_is_asked_back(engine):
    result = engine.triage("haemoglobin 65", age=30, sex="f")
    assert [(u.measure, u.shown) for u in result.vitals_unclear] == [("haemoglobin", "65")]
    asked = t("vital_unclear", "en", measure=t("vital_measure_haemoglobin", "en"), value="65")
    assert asked in result.advice and result.vitals == []


@pytest.fixture()
def real_asha(asha):
    asha._triage = None  # the bot's engine, red flags and readings
    return asha


def test_asha_visit_reads_lab_values(real_asha, referrals):
    worker = verified_worker(real_asha, new_phone(), language="en")
    code = CODE.findall(real_asha.handle(worker, "REG Sita Devi 25 F Dhuri"))[-1]
    reply = real_asha.handle(worker, f"VISIT {code} HB 4.5 kamzori")
    assert reply.startswith(t("asha_visit_emergency", "en", code=code)[:25]), reply
    assert "4.5 g/dL (<5 g/dL)" in reply
    assert referrals.calls[-1]["urgency"] == "emergency"
    reply = real_asha.handle(worker, f"VISIT {code} Na 166")
    assert reply.startswith(t("asha_visit_emergency", "en", code=code)[:25]), reply
    assert referrals.calls[-1]["urgency"] == "emergency"
    reply = real_asha.handle(worker, f"VISIT {code} Na 166 susti")  # a word after the value (issue #13)
    assert reply.startswith(t("asha_visit_emergency", "en", code=code)[:25]), reply
    assert "166 mmol/L" in reply
    reply = real_asha.handle(worker, f"दौरा {code} हीमोग्लोबिन ६५")
    assert t("asha_visit_recheck", "hi", items=f"{t('vital_measure_haemoglobin', 'hi')} 65") in reply
