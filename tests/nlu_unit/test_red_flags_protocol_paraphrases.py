"""Paraphrases of published danger signs a careful relative or a clinician would write (issue #13 item 5).

Each class is caught by parts that generalise (a word list or a combination), not by the sentence:
clinical words for the vital signs (NEWS2 'tachycardic', 'hypotensive'), fangs and an unclotting
20WBCT (MoHFW STG Snake Bite 2017), leaking waters said in words (MoHFW MCP card), a bulging
fontanelle (WHO IMCI), large-volume haemoptysis, urine stopped for a day (KDIGO), heat collapse in
the sun in Punjabi, a newborn's red navel with pus (IMCI), submersion (WHO drowning). Beside them,
everyday sentences from the same field stay quiet.
"""
from __future__ import annotations

from tests.support.phrases import phrases
from tests.support.red_flags import rules_fired


@phrases("text")
def test_emergencies_said_another_way_fire(text: str) -> None:
    """The clinical register (NEWS2 words, GCS) and the same emergencies retold in Hindi and Punjabi."""
    assert rules_fired(text)


@phrases("text", "rule")
def test_paraphrases_fire_their_rule(text: str, rule: str) -> None:
    """Protocol paraphrases, clinical vignette paraphrases and clinical shorthand (GCS, AVPU)."""
    assert rule in rules_fired(text)


@phrases("text")
def test_everyday_sentences_stay_quiet(text: str) -> None:
    """Everyday sentences from the same fields, the vignettes' everyday neighbours and normal
    consciousness scores."""
    assert not rules_fired(text)


def test_a_worst_day_with_a_slight_headache_is_not_a_thunderclap() -> None:
    assert "thunderclap_headache" not in rules_fired("zindagi ka sabse bura din tha, thoda sir dard")
