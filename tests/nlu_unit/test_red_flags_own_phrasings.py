"""Emergencies the other helpers told in their own words, which no rule read, beside the everyday
sentences that share their words and must stay quiet (issue #13, read helper).

Sight lost in one eye (AHA 2021 statement on retinal artery occlusion, NICE CKS Sudden loss of vision),
a belly swelling after a vehicle overturned (ATLS 10th ed.) and pink frothy sputum with breathlessness
lying flat (ESC 2021 acute pulmonary oedema) fire by their parts in every script; sources in
data/red_flags.json.
"""

from __future__ import annotations

from tests.support.phrases import phrases
from tests.support.red_flags import rules_fired


@phrases("text", "rule")
def test_an_emergency_told_in_other_words_fires(text: str, rule: str) -> None:
    assert rule in rules_fired(text, age=55)


@phrases("text", "rule")
def test_an_everyday_sentence_with_the_same_words_stays_quiet(text: str, rule: str) -> None:
    assert rule not in rules_fired(text, age=55)
