"""Urgent-level signs (``urgent_rules`` in data/red_flags.json) raise triage to urgent, never to emergency,
and the result says which sign did it (NICE NG12: post-menopausal and late post-coital bleeding)."""
from __future__ import annotations


def test_the_engine_raises_an_urgent_sign_to_urgent_and_says_why() -> None:
    from engine.triage import default_engine

    engine = default_engine()
    result = engine.triage("bleeding after sex", age=55, sex="f")
    assert result.urgency == "urgent" and result.extra["urgent_signs"]
    assert engine.triage("bleeding after sex", age=35, sex="f").urgency == "routine"
