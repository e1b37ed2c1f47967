"""Action-server logic without a Rasa server: language choice, prefill, emergency tips, the form."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import yaml
from conftest import ROOT
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language
from actions.emergency import ActionEmergency, tips_for
from actions.intake import ValidateSymptomForm, needs_pregnancy_question, prefill_from


def tracker(text: str = "", slots: dict | None = None, intent: str = "report_symptom", **latest) -> Tracker:
    return Tracker(
        sender_id="unit",
        slots={"language": None, "language_locked": None, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, **latest},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )


@pytest.mark.parametrize(("text", "language"), [
    ("mujhe bukhar hai", "hi"), ("मुझे बुखार है", "hi"), ("ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", "pa"),
    ("mainu bukhar aa reha", "pa"), ("I have fever", "en"), ("hello", "en"),
])
def test_language_follows_a_confident_detection(text, language):
    assert conversation_language(tracker(text)) == language


def test_the_language_rasa_parsed_is_used_not_read_again():
    """The LanguageDetector's output in the parse wins: the action server does not read the text again."""
    assert conversation_language(tracker("I have fever", language="pa", language_confidence=0.95)) == "pa"
    # an unconfident parse keeps the remembered language, as an unconfident detection did
    assert conversation_language(tracker("I have fever", {"language": "hi"}, language="en",
                                         language_confidence=0.4)) == "hi"


def test_short_answers_keep_the_remembered_language():
    assert conversation_language(tracker("1", {"language": "pa"})) == "pa"
    assert conversation_language(tracker("ok", {"language": "hi"})) == "hi"


def test_an_explicit_choice_is_kept_whatever_is_typed():
    assert conversation_language(tracker("I have a cough", {"language": "pa", "language_locked": True})) == "pa"


def test_prefill_takes_what_the_first_message_already_says():
    found = prefill_from("mera 5 saal ka beta hai, 3 din se bukhar")
    assert found["age"] == 5 and found["patient"] == "child" and found["duration_days"] == 3
    assert "age" not in prefill_from("mujhe 3 din se bukhar hai")


def test_pregnancy_is_asked_only_for_women_of_child_bearing_age():
    assert needs_pregnancy_question("f", 25)
    assert not needs_pregnancy_question("f", 65)
    assert not needs_pregnancy_question("m", 25)
    assert not needs_pregnancy_question("f", None)


def test_every_red_flag_rule_gets_a_first_aid_tip():
    from engine.i18n import catalogue
    from nlu.red_flags import rules

    for rule in rules():
        (tip,) = tips_for([rule.id]) or [None]
        assert tip == f"core_emergency_tip_{rule.advice}", f"no emergency tip for red-flag rule {rule.id}"
        assert all(catalogue()[tip].get(language) for language in ("en", "hi", "pa")), f"{tip} lacks a language"
    assert tips_for(["snake_bite"]) == ["core_emergency_tip_snake_bite"]
    assert tips_for(["vitals_spo2_low_breathing"]) == ["core_emergency_tip_breathing"]  # another net's flag


def test_emergency_action_ends_the_form_and_speaks_the_users_language():
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionEmergency().run(dispatcher, tracker("ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", intent="emergency"), {}))
    assert dispatcher.messages[0]["custom"]["key"] == "core_emergency"
    assert dispatcher.messages[0]["custom"]["language"] == "pa"
    assert "108" in dispatcher.messages[0]["text"]
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events if e["event"] == "active_loop"]


DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_followups(monkeypatch):
    """Follow-up questions come from the triage engine; these tests are about parsing answers."""
    monkeypatch.setattr("actions.intake.next_followup", lambda tracker: None)


def run_validation(slot: str, answer: str, slots: dict | None = None) -> tuple[list[dict], list[dict]]:
    """Runs validate_symptom_form as Rasa would after the form extracted ``answer`` for ``slot``."""
    dispatcher = CollectingDispatcher()
    t = tracker(answer, {"requested_slot": slot, slot: answer, **(slots or {})}, intent="inform")
    t.events = [{"event": "slot", "name": slot, "value": answer}]
    events = asyncio.run(ValidateSymptomForm().run(dispatcher, t, DOMAIN))
    return events, dispatcher.messages


@pytest.mark.parametrize(("slot", "answer", "expected"), [
    ("patient", "2", "child"), ("patient", "meri beti", "child"), ("age", "35 साल", 35.0),
    ("age", "6 mahine", 0.5), ("sex", "ਔਰਤ", "f"), ("sex", "1", "m"), ("duration_days", "kal se", 1.0),
    ("severity", "3", "severe"), ("severity", "bahut zyada", "severe"), ("pregnant", "haan", "yes"),
    ("pregnant", "2", "no"),
])
def test_form_answers_are_parsed_in_every_language(slot, answer, expected):
    events, messages = run_validation(slot, answer, {"symptoms": ["fever"], "sex": "f", "age": 25.0})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values[slot] == expected
    keys = [m["custom"]["key"] for m in messages]
    assert not any(k.startswith("core_reprompt") for k in keys), "an understood answer gets no re-prompt"
    # the validation action asks the next question itself (no action_ask_* round trip)
    assert len(keys) == 1 and keys[0].startswith("core_ask_") and keys[0] != f"core_ask_{slot}"
    assert values["requested_slot"] == keys[0].removeprefix("core_ask_")


@pytest.mark.parametrize("answer", ["1", "2", "3", "੧"])
def test_a_menu_number_for_who_is_ill_is_not_taken_as_the_age(answer):
    events, messages = run_validation("patient", answer, {"symptoms": ["fever"]})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert "age" not in values and values["requested_slot"] == "age"
    assert [m["custom"]["key"] for m in messages] == ["core_ask_age"]


def test_an_age_given_with_who_is_ill_is_kept():
    events, _ = run_validation("patient", "meri 5 saal ki beti", {"symptoms": ["fever"]})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["patient"] == "child" and values["age"] == 5.0


def test_nothing_extracted_right_after_the_user_is_left_for_rasa_to_reject():
    """'help' or an emergency mid-form: no question and no slot event, or Rasa would not reject the
    form and the interrupting intent's rule would never run."""
    dispatcher = CollectingDispatcher()
    t = tracker("ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", {"requested_slot": "age", "symptoms": ["fever"]}, intent="emergency")
    # as Rasa's temporary tracker has it: the user's message, then the form's own marker
    t.events = [{"event": "user", "text": "ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ"}, {"event": "user_featurization"},
                {"event": "slot", "name": "requested_slot", "value": "age"},
                {"event": "action", "name": "symptom_form"}]
    t.latest_action_name = "symptom_form"
    events = asyncio.run(ValidateSymptomForm().run(dispatcher, t, DOMAIN))
    assert [e for e in events if e.get("name") != "requested_slot"] == [] and dispatcher.messages == []


def test_back_in_the_form_after_an_interruption_the_question_is_asked_again():
    dispatcher = CollectingDispatcher()
    t = tracker("help", {"requested_slot": "age", "symptoms": ["fever"], "patient": "self"}, intent="help")
    t.events = [{"event": "user", "text": "help"}, {"event": "action_execution_rejected", "name": "symptom_form"},
                {"event": "action", "name": "action_help"}, {"event": "bot", "text": "…"},
                {"event": "slot", "name": "requested_slot", "value": "age"},
                {"event": "action", "name": "symptom_form"}]
    t.latest_action_name = "symptom_form"
    events = asyncio.run(ValidateSymptomForm().run(dispatcher, t, DOMAIN))
    assert [m["custom"]["key"] for m in dispatcher.messages] == ["core_ask_age"]
    assert {"event": "slot", "name": "requested_slot", "value": "age", "timestamp": None} in events


def test_a_wrong_answer_is_reprompted_and_nothing_is_lost():
    events, messages = run_validation("age", "pata nahi", {"symptoms": ["fever", "cough"]})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["age"] is None and values["symptoms"] == ["fever", "cough"]
    assert messages[0]["custom"]["key"] == "core_reprompt_age"


def test_symptoms_mentioned_in_an_answer_are_added():
    events, _ = run_validation("duration_days", "2 din se, aur ulti bhi ho rahi hai", {"symptoms": ["fever"]})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["duration_days"] == 2 and "vomiting" in values["symptoms"]


def test_the_action_server_serves_exactly_the_domains_actions():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(DOMAIN["actions"])


def run_action(action, text: str, intent: str = "ask_medicine") -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(text, intent=intent), DOMAIN))
    return dispatcher.messages


def test_medicine_question_is_answered_from_the_knowledge_base_in_the_users_language():
    from actions.medicine import ActionAskMedicine

    reply = run_action(ActionAskMedicine(), "dolo 650 kis liye hai")
    assert "Paracetamol" in reply[0]["text"] and "बुखार" in reply[0]["text"]


def test_two_medicines_get_an_interaction_check():
    from actions.medicine import ActionAskMedicine

    reply = run_action(ActionAskMedicine(), "ਕੀ ਮੈਂ Ecosprin ਨਾਲ Brufen ਲੈ ਸਕਦਾ ਹਾਂ")
    assert reply[0]["custom"]["key"] == "core_medicine_interaction"
    assert "ਖੂਨ" in reply[0]["text"], "the bleeding risk, in Punjabi"


def test_each_action_name_is_implemented_once():
    from rasa_sdk import Action
    from rasa_sdk.utils import all_subclasses

    import actions.conversation  # noqa: E401, F401
    import actions.doctor
    import actions.emergency
    import actions.health_record
    import actions.intake  # noqa: E401, F401

    names = [cls().name() for cls in all_subclasses(Action)
             if cls.__module__.startswith("actions.") and not inspect.isabstract(cls)]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_the_last_follow_up_answer_is_read_before_the_form_moves_on():
    """With MAX_FOLLOWUPS asked, the answer to the last one still counts (it used to be dropped)."""
    asked = ["sore_throat", "joint_pain", "chills", "runny_nose"]
    events, messages = run_validation("followup", "नहीं", {"symptoms": ["fever"], "asked_symptoms": asked,
                                                          "patient": "self", "age": 35.0, "sex": "m",
                                                          "duration_days": 3.0, "severity": "mild", "reading": "none"})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert "runny_nose" in values["negated_symptoms"] and values["requested_slot"] == "records_consent"
    assert [m["custom"]["key"] for m in messages] == ["core_ask_records_consent"]


FILLED = {"symptoms": ["fever"], "patient": "self", "age": 35.0, "sex": "m", "duration_days": 3.0,
          "severity": "mild", "reading": "none", "asked_symptoms": ["sore_throat", "joint_pain", "chills", "runny_nose"]}


@pytest.mark.parametrize(("answer", "expected"), [
    ("1", "yes"), ("१", "yes"), ("੧", "yes"), ("yes", "yes"), ("ok", "yes"), ("ji", "yes"), ("haan", "yes"),
    ("हाँ", "yes"), ("जी हाँ", "yes"), ("ਹਾਂ", "yes"), ("ਹਾਂ ਜੀ", "yes"),
    ("2", "no"), ("no", "no"), ("nahin", "no"), ("नहीं", "no"), ("ਨਹੀਂ", "no"),
])
def test_the_consent_answer_is_stored_as_yes_or_no_however_it_is_given(answer, expected):
    """The last question of the form used to keep the answer as typed ("1", "हाँ"): its slot, filled by
    the raw answer, dropped out of the required slots, and rasa-sdk validates only required ones
    (issue #14). Now every answer is validated and the form ends with the canonical value."""
    events, messages = run_validation("records_consent", answer, FILLED)
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["records_consent"] == expected
    assert values["requested_slot"] is None  # the form is complete
    assert messages == []


def test_an_unreadable_consent_answer_is_asked_again():
    events, messages = run_validation("records_consent", "shayad", FILLED)
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["records_consent"] is None and values["requested_slot"] == "records_consent"
    assert [m["custom"]["key"] for m in messages] == ["core_reprompt_choice", "core_ask_records_consent"]


def test_a_consent_answer_older_versions_stored_unread_is_asked_again():
    """Conversations whose slot still holds "1" from before the fix get the question again."""
    events, messages = run_validation("followup", "नहीं", {**FILLED, "records_consent": "1"})
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["requested_slot"] == "records_consent"
    assert [m["custom"]["key"] for m in messages] == ["core_ask_records_consent"]


@pytest.mark.parametrize(("action", "key", "events"), [
    ("ActionGoodbye", "core_goodbye", [{"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
                                       {"event": "slot", "timestamp": None, "name": "pending_offer", "value": None}]),
    ("ActionDeny", "core_deny_ok", [{"event": "slot", "timestamp": None, "name": "pending_offer", "value": None}]),
    ("ActionDefaultFallback", "core_fallback_default", [{"event": "rewind", "timestamp": None}]),
    ("ActionThank", "core_thank", []),
])
def test_say_actions_say_their_message_then_end_what_they_end(action, key, events):
    """A SayAction says its one message and returns the events of ``then``, a new list each turn."""
    import actions.conversation

    act, dispatcher = getattr(actions.conversation, action)(), CollectingDispatcher()
    first = act.respond(dispatcher, tracker("ok"), {}, "hi")
    assert [m["custom"]["key"] for m in dispatcher.messages] == [key]
    assert first == events and act.respond(CollectingDispatcher(), tracker("ok"), {}, "hi") is not first
