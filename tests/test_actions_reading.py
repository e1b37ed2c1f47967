"""The intake's optional reading step and the readings in the triage answer (actions, no Rasa server).

For fever, breathlessness, sugar or BP the form asks "if you have a thermometer (oximeter, …), what
does it show?"; a number joins the complaint the triage reads, an impossible one is asked again,
"2" skips, and a dangerous reading ends the form so the emergency answer comes at once.
"""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import intake
from actions.intake import ValidateSymptomForm, complaint_devices, reading_device
from engine.i18n import t
from tests.test_actions import DOMAIN, tracker

BASE = {"patient": "self", "age": 40.0, "sex": "m", "duration_days": 2.0, "severity": "moderate",
        "records_consent": "yes"}


@pytest.fixture(autouse=True)
def no_followups(monkeypatch):
    monkeypatch.setattr("actions.intake.next_followup", lambda tracker: None)


def validate(answer: str, symptoms: list[str], complaint: str, **slots):
    dispatcher = CollectingDispatcher()
    values = {**BASE, "symptoms": symptoms, "complaint_text": complaint, "requested_slot": "reading",
              "reading": answer, **slots}
    tr = tracker(answer, values, intent="inform")
    tr.events = [{"event": "slot", "name": "reading", "value": answer}]
    events = asyncio.run(ValidateSymptomForm().run(dispatcher, tr, DOMAIN))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


@pytest.mark.parametrize(("symptoms", "complaint", "device"), [
    (["fever"], "bukhar hai", "temperature"),
    (["fever", "breathlessness"], "bukhar aur saans phool rahi", "spo2"),
    (["high_blood_sugar"], "sugar hai", "glucose"),
    (["fever"], "tez bukhar 103", None),  # already given
    (["headache"], "sir dard", None),
])
def test_which_device_to_ask_about(symptoms, complaint, device):
    assert reading_device(tracker("", {"symptoms": symptoms, "complaint_text": complaint})) == device


@pytest.mark.parametrize("complaint", ["bukhar hai", "tez bukhar 103", "mere paas oximeter hai, saans phool rahi",
                                       "sugar 250 hai aur glucometer bhi", "sir dard", ""])
def test_a_complaint_is_read_for_devices_once_and_as_before(monkeypatch, complaint):
    """complaint_devices remembers by text (a form turn asks three or four times): the same answer as
    reading the text afresh, and the text read once however often it is asked."""
    complaint_devices.cache_clear()
    reads = []
    real = intake.read_vitals
    monkeypatch.setattr(intake, "read_vitals", lambda text: reads.append(text) or real(text))
    fresh = (frozenset(r.measure for r in real(complaint).readings), tuple(intake.devices_mentioned(complaint)))
    for _ in range(3):
        assert complaint_devices(complaint) == fresh
    assert reads == [complaint]


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_the_question_comes_after_severity_in_every_language(language):
    dispatcher = CollectingDispatcher()
    values = {**BASE, "language": language, "language_locked": True, "symptoms": ["fever"],
              "complaint_text": "fever", "requested_slot": "severity", "severity": "2"}
    tr = tracker("2", values, intent="inform")
    tr.events = [{"event": "slot", "name": "severity", "value": "2"}]
    events = asyncio.run(ValidateSymptomForm().run(dispatcher, tr, DOMAIN))
    assert {"event": "slot", "name": "requested_slot", "value": "reading", "timestamp": None} in events
    assert dispatcher.messages[-1]["text"] == t("core_ask_reading", language,
                                                device=t("vital_device_temperature", language))


@pytest.mark.parametrize(("answer", "complaint_end"), [("102", "temp 102"), ("१०२ है", "temp 102 है"),
                                                       ("temp 39.2", "temp 39.2"), ("101 F", " 101 F")])
def test_a_number_joins_the_complaint(answer, complaint_end):
    values, messages = validate(answer, ["fever"], "bukhar hai")
    assert values["reading"] == "given"
    assert values["complaint_text"].startswith("bukhar hai ")
    assert values["complaint_text"].replace("१०२", "102").endswith(complaint_end)


def test_an_impossible_reading_is_asked_again():
    values, messages = validate("1040", ["fever"], "bukhar hai", language="en", language_locked=True)
    assert values["reading"] is None and values["requested_slot"] == "reading"
    texts = [m["text"] for m in messages]
    assert t("vital_unclear", "en", measure=t("vital_measure_temperature", "en"), value="1040") in texts
    assert texts[-1].startswith(t("core_ask_reading", "en", device="x")[:10])


@pytest.mark.parametrize("answer", ["2", "nahi hai", "ਨਹੀਂ", "no thermometer"])
def test_no_device_skips_the_step(answer):
    values, _ = validate(answer, ["fever"], "bukhar hai")
    assert values["reading"] == "none" and "complaint_text" not in values


def test_yes_without_a_number_asks_for_the_number():
    values, _ = validate("haan hai", ["fever"], "bukhar hai")
    assert values["reading"] is None and values["requested_slot"] == "reading"


def test_a_dangerous_reading_ends_the_form_for_the_emergency_answer():
    values, _ = validate("86", ["breathlessness"], "saans phool rahi hai", records_consent=None)
    assert values["reading"] == "emergency" and values["complaint_text"].endswith("spo2 86")
    assert values["requested_slot"] is None  # the form is done: action_triage answers at once


def test_triage_answer_shows_readings_unclear_values_and_dangers_to_watch(monkeypatch):
    from actions.triage import ActionTriage
    from engine.triage import Engine

    engine = Engine(use_classifier=False)
    monkeypatch.setattr("engine.triage.default_engine", lambda: engine)
    dispatcher = CollectingDispatcher()
    slots = {**BASE, "language": "hi", "language_locked": True, "symptoms": ["fever"],
             "complaint_text": "tez bukhar, temp 103, pulse 900"}
    asyncio.run(ActionTriage().run(dispatcher, tracker("1", slots), DOMAIN))
    keys = [m["custom"]["key"] for m in dispatcher.messages]
    assert "triage_explain_vitals" in keys and "vital_unclear" in keys
    assert keys.index("core_urgency_urgent") < keys.index("triage_explain_vitals")


@pytest.mark.parametrize(("symptoms", "complaint", "device"), [
    (["cough"], "khansi hai, ghar pe oximeter hai", "spo2"),
    (["headache"], "sir dard hai, mere paas BP machine hai", "bp"),
    (["headache"], "सिर दर्द है, थर्मामीटर है मेरे पास", "temperature"),
    (["fatigue"], "ਕਮਜ਼ੋਰੀ ਹੈ, ਗਲੂਕੋਮੀਟਰ ਹੈਗਾ", "glucose"),
    (["fever"], "bukhar hai, oximeter bhi hai", "temperature"),  # the symptom's device first
    (["cough"], "khansi hai, oximeter pe 96 aaya", None),       # the reading is already there
])
def test_saying_you_have_a_device_asks_for_its_reading(symptoms, complaint, device):
    assert reading_device(tracker("", {"symptoms": symptoms, "complaint_text": complaint})) == device


def test_a_named_oximeter_reading_turns_the_intake_into_an_emergency():
    values, _ = validate("88", ["cough"], "khansi hai, ghar pe oximeter hai")
    assert values["reading"] == "emergency"
    assert values["complaint_text"].endswith("spo2 88")
