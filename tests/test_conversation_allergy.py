"""The live assistant (real Rasa, trained model, action server) records a medicine allergy a
patient tells it, in each language and script, with phrasings that are not in the training data;
telling it again says it is already recorded (issue #20 item 2)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize(("text", "language"), [
    ("please note I am allergic to penicillin", "en"),
    ("mujhe penicillin wali dawai se allergy hai", "hi"),
    ("मुझे अमोक्सिसिलिन से एलर्जी है, लिख लो", "hi"),
    ("ਮੈਨੂੰ ਪੈਨਿਸਿਲਿਨ ਤੋਂ ਐਲਰਜੀ ਹੈ ਜੀ", "pa"),
])
def test_a_patient_tells_an_allergy_and_it_is_recorded(rasa_stack, text, language):
    sender = rasa_stack.new_sender()
    reply = rasa_stack.send(sender, text)
    assert reply[0]["key"] == "meds_allergy_saved", reply
    assert reply[0]["language"] == language and "108" in reply[0]["text"]
    assert rasa_stack.send(sender, text)[0]["key"] == "meds_allergy_known"


@pytest.mark.parametrize("text", [
    "is penicillin safe if I have allergy", "allergy ki dawai kya hai", "ਮੈਨੂੰ ਐਲਰਜੀ ਦੀ ਦਵਾਈ ਚਾਹੀਦੀ ਹੈ",
    "I have allergic rhinitis", "mujhe allergy hai, koi dawa batao",
])
def test_questions_and_allergy_symptoms_are_not_recorded_as_an_allergy(rasa_stack, text):
    """Asking about allergy medicines, or describing allergy trouble, is answered (medicine
    information, the intake), never recorded as a medicine allergy."""
    keys = [m["key"] for m in rasa_stack.send(rasa_stack.new_sender(), text)]
    assert keys and not {"meds_allergy_saved", "meds_allergy_known"} & set(keys), keys
