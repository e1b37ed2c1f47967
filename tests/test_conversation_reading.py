"""The intake's reading step through the real trained model, Rasa's REST channel and the action server."""

from __future__ import annotations

import pytest

from tests.test_conversation import ANSWERS, run_intake

pytestmark = pytest.mark.rasa


def test_an_oximeter_reading_turns_the_intake_into_an_emergency(rasa_stack):
    bot, sender = rasa_stack, rasa_stack.new_sender()
    first = bot.send(sender, "mujhe khansi aur saans ki takleef hai")
    messages = run_intake(bot, sender, {**ANSWERS["hi-Latn"], "core_ask_reading": "86"}, first)
    keys = [m["key"] for m in messages]
    assert "core_ask_reading" in keys
    assert keys.index("core_emergency") > keys.index("core_ask_reading")
    assert "core_urgency_emergency" in keys and "vital_readings_emergency" in keys
    assert "core_ask_followup" not in keys[keys.index("core_ask_reading"):]  # no more questions after it


def test_a_thermometer_reading_is_quoted_back(rasa_stack):
    bot, sender = rasa_stack, rasa_stack.new_sender()
    first = bot.send(sender, "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ")
    messages = run_intake(bot, sender, {**ANSWERS["pa"], "core_ask_reading": "੧੦੩"}, first)
    keys = [m["key"] for m in messages]
    assert "triage_explain_vitals" in keys and {m["language"] for m in messages if m["key"]} == {"pa"}


def test_saying_you_have_a_bp_machine_asks_for_its_reading(rasa_stack):
    """Issue #13 item 3: a complaint that names a device ("mere paas BP machine hai") makes the intake
    ask for that device's reading even when the symptom (a headache) would not; 200/125 with the
    headache is a hypertensive emergency (ACC/AHA 2017, Indian Guidelines on Hypertension IV)."""
    from engine.i18n import t

    bot, sender = rasa_stack, rasa_stack.new_sender()
    first = bot.send(sender, "sir me dard hai, mere paas BP machine hai")
    messages = run_intake(bot, sender, {**ANSWERS["hi-Latn"], "core_ask_reading": "200/125"}, first)
    keys = [m["key"] for m in messages]
    asked = next(m for m in messages if m["key"] == "core_ask_reading")
    assert any(t("vital_device_bp", language) in asked["text"] for language in ("hi", "en", "pa")), asked["text"]
    assert "core_urgency_emergency" in keys and "vital_readings_emergency" in keys
    assert keys.index("core_emergency") > keys.index("core_ask_reading")
