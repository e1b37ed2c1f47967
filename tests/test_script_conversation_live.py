"""A whole conversation typed in Latin letters, in Hindi and in Punjabi, through the real trained
model, Rasa's REST channel and the action server (issue #19 item 3): greeting, complaint, every
intake question answered the way phones write it, and the triage answer, all in Latin letters.
The knowledge base's own words (condition names, self-care, warning signs) come in English for a
Latin-letter reader (engine.i18n.content_language), never in Devanagari or Gurmukhi."""

from __future__ import annotations

import re

import pytest

from engine.i18n import LATIN, t
from tests.test_conversation import ANSWERS, run_intake

pytestmark = pytest.mark.rasa
INDIC = re.compile(r"[\u0900-\u097f\u0a00-\u0a7f]")
#: Language names in their own script on the language menu, so a reader of either finds theirs.
OWN_SCRIPT_NAMES = ("हिंदी", "ਪੰਜਾਬੀ")

LATIN_ANSWERS = {
    "hi": ANSWERS["hi-Latn"],
    "pa": {"core_ask_patient": "1", "core_ask_age": "55 saal", "core_ask_sex": "mard",
           "core_ask_pregnant": "nahi", "core_ask_duration_days": "3 din ton", "core_ask_severity": "2",
           "core_ask_followup": "nahi", "core_ask_symptom_text": "bukhaar", "core_ask_records_consent": "2",
           "core_ask_reading": "2"},
}


@pytest.mark.parametrize(("language", "greeting", "complaint"), [
    ("hi", "namaste ji", "mujhe 2 din se khansi aur bukhar hai"),
    ("pa", "sat sri akal ji", "mainu 3 din ton bukhaar te sir dard hai"),
])
def test_a_conversation_in_latin_letters_is_answered_in_latin_letters_to_the_end(rasa_stack, language, greeting,
                                                                                complaint):
    bot, sender = rasa_stack, rasa_stack.new_sender()
    greeted = bot.send(sender, greeting)
    first = bot.send(sender, complaint)
    assert first[0]["key"] == "core_intake_start" and first[0]["language"] == language, first
    assert first[0]["text"] == t("core_intake_start", language, script=LATIN)
    messages = greeted + run_intake(bot, sender, LATIN_ANSWERS[language], first)
    keys = [m["key"] for m in messages]
    assert any((k or "").startswith("core_urgency_") for k in keys) and "core_offer_doctor" in keys, keys
    for message in messages:
        text = message["text"]
        for name in OWN_SCRIPT_NAMES:
            text = text.replace(name, "")
        assert not INDIC.search(text), (message["key"], message["text"])
