"""Parse once (issue #15): the action server takes language, symptoms and red flags from Rasa's
parse (``tracker.latest_message``) and reads the text itself only when the parse lacks them."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from conftest import ROOT
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import red_flags_of_latest, symptom_mentions
from actions.intake import ActionStartIntake
from nlu.red_flags import RULES_VERSION

DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


def tracker(text: str, slots: dict | None = None, **latest) -> Tracker:
    return Tracker(
        sender_id="unit", slots={"language": "hi", **(slots or {})},
        latest_message={"text": text, "intent": {"name": "report_symptom", "confidence": 0.9}, **latest},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )


def no_reading_again(monkeypatch) -> None:
    """Any reading of the text on the action side fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the action server read the text again")

    monkeypatch.setattr("actions.common.detect_red_flags", refuse)
    monkeypatch.setattr("actions.common.extract_symptoms", refuse)
    monkeypatch.setattr("actions.common.detect_language", refuse)


def test_the_red_flags_rasa_parsed_are_used_not_read_again(monkeypatch):
    no_reading_again(monkeypatch)
    assert red_flags_of_latest(tracker("mujhe bukhar hai", red_flags=[], red_flags_version=RULES_VERSION)) == []
    assert red_flags_of_latest(tracker("saanp ne kaat liya", red_flags=["snake_bite"],
                                       red_flags_version=RULES_VERSION)) == ["snake_bite"]


@pytest.mark.parametrize("parse", [
    {},  # a /intent payload or a model trained without the RedFlagDetector: no red-flag result at all
    {"red_flags": [], "red_flags_version": "an older rule set"},
    {"red_flags": []},
    {"red_flags": None},
], ids=["absent", "older-rules", "no-version", "none"])
def test_an_emergency_sign_the_parse_lacks_is_still_caught(parse):
    assert "snake_bite" in red_flags_of_latest(tracker("saanp ne kaat liya", **parse))


@pytest.mark.parametrize("parse", [{}, {"red_flags": [], "red_flags_version": "an older rule set"}],
                         ids=["absent", "older-rules"])
def test_an_action_still_gives_emergency_advice_when_the_parse_lacks_red_flags(parse):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionStartIntake().run(dispatcher, tracker("saanp ne kaat liya", **parse), DOMAIN))
    assert any("108" in (m.get("text") or "") for m in dispatcher.messages)


def test_the_symptoms_rasa_parsed_are_used_not_read_again(monkeypatch):
    no_reading_again(monkeypatch)
    mentions = [{"code": "fever", "negated": False}, {"code": "cough", "negated": True}]
    events = ActionStartIntake().respond(CollectingDispatcher(), tracker(
        "bukhar hai, khansi nahi", symptom_mentions=mentions), DOMAIN, "hi")
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["symptoms"] == ["fever"] and slots["negated_symptoms"] == ["cough"]


def test_the_parse_keeps_the_order_of_yes_and_no():
    """"bukhar hai ... bukhar nahi" ends with a 'no': the lists alone could not say which came last."""
    said_no_last = [{"code": "fever", "negated": False}, {"code": "fever", "negated": True}]
    assert symptom_mentions(tracker("x", symptom_mentions=said_no_last), "x") == [("fever", False), ("fever", True)]


@pytest.mark.parametrize("text", ["3 din se bukhar hai, khansi nahi", "ਤਾਪ ਹੈ ਪਰ ਖੰਘ ਨਹੀਂ", "fever but no cough"])
def test_without_the_parse_the_text_is_read_with_the_same_code(text):
    from nlu.symptoms import extract_symptoms

    expected = [(m.code, m.negated) for m in extract_symptoms(text)]
    assert symptom_mentions(tracker(text), text) == expected
    parsed = [{"code": c, "negated": n} for c, n in expected]
    assert symptom_mentions(tracker(text, symptom_mentions=parsed), text) == expected


def test_a_text_other_than_the_parsed_message_is_read_itself():
    parsed = [{"code": "fever", "negated": False}]
    assert symptom_mentions(tracker("bukhar hai", symptom_mentions=parsed), "khansi hai") == [("cough", False)]
