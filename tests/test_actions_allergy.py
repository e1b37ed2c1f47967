"""A patient tells the bot a medicine allergy (issue #20 item 2): "I am allergic to penicillin",
"mujhe penicillin se allergy hai", Devanagari and Gurmukhi. The action records it in the patient's
record (real PostgreSQL records service), says so with the 108 advice, and a doctor's prescription
check for that patient then warns on a penicillin."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.health_record
from actions.allergy import ActionTellAllergy
from engine.meds.safety import SERIOUS, Patient, check_prescription
from records import Actor, Purpose
from tests.support.records import pg_url, records_dirs, svc  # noqa: F401

pytestmark = pytest.mark.postgres


def tell(text: str, language: str | None = None) -> list[dict]:
    tracker = Tracker("unit", {"language": language, "language_locked": bool(language)},
                      {"text": text, "intent": {"name": "tell_allergy", "confidence": 0.9}},
                      [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTellAllergy().run(dispatcher, tracker, {}))
    return [m["custom"] for m in dispatcher.messages]


@pytest.fixture()
def patient(svc, monkeypatch):  # noqa: F811
    pid = svc.get_or_create_patient("whatsapp", "+9170" + str(uuid.uuid4().int)[:8], "hi")
    monkeypatch.setattr(actions.health_record, "service", lambda: svc)
    monkeypatch.setattr(actions.health_record, "patient_of", lambda tracker, language: pid)
    return pid


@pytest.mark.parametrize(("text", "language"), [
    ("I am allergic to penicillin", "en"), ("mujhe penicillin se allergy hai", "hi"),
    ("मुझे पेनिसिलिन से एलर्जी है", "hi"), ("ਮੈਨੂੰ ਪੈਨਿਸਿਲਿਨ ਤੋਂ ਐਲਰਜੀ ਹੈ", "pa"), ("mainu penicillin ton allergy hai", "pa"),
])
def test_a_told_allergy_is_recorded_and_then_warns_the_prescriber(svc, patient, text, language):  # noqa: F811
    (reply,) = tell(text)
    assert reply["key"] == "meds_allergy_saved" and reply["language"] == language
    assert reply["fields"]["names"] == "penicillin"
    recorded = svc.allergies(Actor.patient(patient), patient, purpose=Purpose.SELF_CARE)
    assert [(a["substance"], a["allergen"], a["source"]) for a in recorded] == [("penicillin", "penicillin", "patient")]
    (again,) = tell(text)
    assert again["key"] == "meds_allergy_known"
    warnings = check_prescription([{"generic": "amoxicillin", "dose": "500 mg", "frequency": "1-1-1"}],
                                  Patient(allergies=tuple(a["substance"] for a in recorded)))
    assert [(w.code, w.severity) for w in warnings] == [("allergy:amoxicillin:penicillin", SERIOUS)]


def test_no_medicine_named_asks_which_and_records_nothing(svc, patient):  # noqa: F811
    (reply,) = tell("mujhe dhool se allergy hai", "hi")
    assert reply["key"] == "meds_allergy_which"
    assert svc.allergies(Actor.patient(patient), patient, purpose=Purpose.SELF_CARE) == []


@pytest.mark.parametrize("text", ["is penicillin safe if I have allergy?", "amoxicillin se allergy ho sakti hai kya",
                                  "क्या एलर्जी में पेनिसिलिन ले सकते हैं", "ਕੀ ਮੈਂ ਪੈਨਿਸਿਲਿਨ ਲੈ ਸਕਦਾ ਹਾਂ"])
def test_a_question_about_allergy_is_answered_as_a_medicine_question_and_records_nothing(svc, patient, text):  # noqa: F811
    tracker = Tracker("unit", {"language": None, "language_locked": False},
                      {"text": text, "intent": {"name": "tell_allergy", "confidence": 0.9}}, [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionTellAllergy().run(dispatcher, tracker, {}))
    assert {"event": "followup", "name": "action_ask_medicine"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events] and not dispatcher.messages
    assert svc.allergies(Actor.patient(patient), patient, purpose=Purpose.SELF_CARE) == []


def test_the_records_failing_still_answers_with_108(monkeypatch, patient):
    def down():
        raise ConnectionError("database away")

    monkeypatch.setattr(actions.health_record, "service", down)
    (reply,) = tell("I am allergic to septran", "en")
    assert reply["key"] == "meds_allergy_unavailable"


def test_my_records_lists_the_allergies(svc, patient):  # noqa: F811
    from actions.health_record import ActionMyRecords

    def records() -> list[dict]:
        tracker = Tracker("unit", {"language": "pa", "language_locked": True},
                          {"text": "ਮੇਰੇ ਰਿਕਾਰਡ", "intent": {"name": "my_records", "confidence": 0.9}},
                          [], False, None, {}, None)
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionMyRecords().run(dispatcher, tracker, {}))
        return [m["custom"] for m in dispatcher.messages]

    assert [m["key"] for m in records()] == ["core_records_empty"]
    tell("ਮੈਨੂੰ ਪੈਨਿਸਿਲਿਨ ਤੋਂ ਐਲਰਜੀ ਹੈ")
    (only,) = records()
    assert only["key"] == "meds_allergy_in_record" and only["fields"]["names"] == "penicillin"
