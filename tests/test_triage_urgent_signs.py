"""Urgent-level signs (``urgent_rules`` in data/red_flags.json) raise triage to urgent, never to emergency,
and the result says which sign did it (NICE NG12: post-menopausal and late post-coital bleeding)."""
from __future__ import annotations

import pytest


def test_the_engine_raises_an_urgent_sign_to_urgent_and_says_why() -> None:
    from engine.triage import default_engine

    engine = default_engine()
    result = engine.triage("bleeding after sex", age=55, sex="f")
    assert result.urgency == "urgent" and result.extra["urgent_signs"]
    assert engine.triage("bleeding after sex", age=35, sex="f").urgency == "routine"



@pytest.mark.parametrize("text", [
    "sneezing fits every morning",
    "3 year old not speaking words, does not respond to name",
])
def test_masks_hold_through_the_engine(text: str) -> None:
    """The engine hands its own symptom codes to the red-flag rules; a code a mask took away (another
    meaning of the words) must not come back that way. History is not applied to those codes (see
    ``nlu.red_flags.Reading.dropped``)."""
    from engine.triage import default_engine

    assert default_engine().triage(text).urgency != "emergency"


@pytest.mark.parametrize("text", ["he is having a seizure", "had a stroke 2 years ago and today his face is drooping"])
def test_the_same_events_now_stay_emergencies_through_the_engine(text: str) -> None:
    from engine.triage import default_engine

    assert default_engine().triage(text).urgency == "emergency"
