"""The Rasa graph components on hand-built messages (no trained model). Skipped without Rasa."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from nlu.components import IndicTokenizer, LanguageDetector, RedFlagDetector, SymptomExtractor  # noqa: E402

CLASSIFIER_GUESS = {"name": "report_symptom", "confidence": 0.8}


def run(text: str) -> Message:
    message = Message.build(text=text)
    message.set("intent", dict(CLASSIFIER_GUESS))
    message.set("intent_ranking", [dict(CLASSIFIER_GUESS), {"name": "emergency", "confidence": 0.2}])
    IndicTokenizer(IndicTokenizer.get_default_config()).process([message])
    for component in (LanguageDetector(), SymptomExtractor(), RedFlagDetector()):
        component.process([message])
    return message


def test_components_are_registered_with_the_default_recipe():
    for component in (IndicTokenizer, LanguageDetector, SymptomExtractor, RedFlagDetector):
        assert DefaultV1Recipe._from_registry(f"nlu.components.{component.__name__}").clazz is component


def test_tokenizer_keeps_vowel_signs_and_sets_folded_lemmas():
    message = run("मुझे बुख़ार है, ਮੈਨੂੰ ਤਾਪ bahuttt")
    tokens = message.get("text_tokens")
    assert [t.text for t in tokens] == ["मुझे", "बुख़ार", "है", "ਮੈਨੂੰ", "ਤਾਪ", "bahuttt"]
    assert tokens[1].lemma == "बुखार" and tokens[-1].lemma == "bahut"


def test_language_and_symptoms_in_output_properties():
    message = run("ਮੈਨੂੰ ਤਾਪ ਚੜ੍ਹਿਆ ਪਰ ਖੰਘ ਨਹੀਂ")
    output = message.as_dict(only_output_properties=True)
    assert (output["language"], output["script"]) == ("pa", "Guru")
    assert output["symptoms"] == ["fever"] and output["negated_symptoms"] == ["cough"]
    assert output["symptom_mentions"] == [{"code": "fever", "negated": False}, {"code": "cough", "negated": True}]
    (entity,) = [e for e in output["entities"] if e["entity"] == "symptom"]
    assert entity["value"] == "fever" and entity["extractor"] == "SymptomExtractor"
    assert message.get("text")[entity["start"] : entity["end"]] == "ਤਾਪ"
    assert output["emergency"] is False and output["red_flags"] == []
    assert message.get("intent") == CLASSIFIER_GUESS


@pytest.mark.parametrize("text", ["saanp ne kaat liya", "सांप ने काट लिया", "ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", "snake bite"])
def test_red_flag_overrides_intent_and_keeps_the_classifier_guess(text):
    message = run(text)
    assert message.get("emergency") is True and "snake_bite" in message.get("red_flags")
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "emergency" and CLASSIFIER_GUESS in ranking
    assert [r["name"] for r in ranking].count("emergency") == 1


def test_negated_emergency_does_not_override():
    message = run("saanp ne nahi kaata, bas kaanta chubha")
    assert message.get("emergency") is False
    assert message.get("intent") == CLASSIFIER_GUESS
