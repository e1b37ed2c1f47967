"""Emergencies the other helpers told in their own words, which no rule read, beside the everyday
sentences that share their words and must stay quiet (issue #13, read helper).

Sight lost in one eye (AHA 2021 statement on retinal artery occlusion, NICE CKS Sudden loss of vision),
a belly swelling after a vehicle overturned (ATLS 10th ed.) and pink frothy sputum with breathlessness
lying flat (ESC 2021 acute pulmonary oedema) fire by their parts in every script; sources in
data/red_flags.json. Below them, misreads of everyday complaints: burning eyes, pain after a tablet, a slow
recovery, an infection that is over, sight slowly failing, aching eyes in Gurmukhi.
"""

from __future__ import annotations

from nlu.red_flags import urgent_signs
from nlu.symptoms import extract_symptoms
from tests.support.phrases import phrases
from tests.support.red_flags import rules_fired


@phrases("text", "rule")
def test_an_emergency_told_in_other_words_fires(text: str, rule: str) -> None:
    assert rule in rules_fired(text, age=55)


@phrases("text", "rule")
def test_an_everyday_sentence_with_the_same_words_stays_quiet(text: str, rule: str) -> None:
    assert rule not in rules_fired(text, age=55)


def codes(text: str) -> dict[str, bool]:
    """Each symptom code read in ``text`` and whether it is denied."""
    return {mention.code: mention.negated for mention in extract_symptoms(text)}


@phrases("text", "code")
def test_a_complaint_is_read_as_what_it_is(text: str, code: str) -> None:
    assert codes(text).get(code) is False


@phrases("text", "code")
def test_words_of_another_complaint_are_not_read_as_it(text: str, code: str) -> None:
    assert code not in codes(text)


@phrases("text")
def test_eyes_that_burn_are_no_burn_injury(text: str) -> None:
    """NICE CKS Red eye: burning eyes are a symptom; a chemical in the eye still fires (data/red_flags.json
    mask eye_burning)."""
    assert not rules_fired(text) & {"severe_burn", "inhalation_injury"}


@phrases("text")
def test_milk_brought_back_green_a_few_words_on_is_bilious(text: str) -> None:
    """NICE NG1 red flag (derived ``bilious``): green regurgitation or vomit in an infant, the green told a few
    words after the milk; with the engine's own symptom codes handed in too (its reading of the same text)."""
    assert "acute_abdomen_surgical" in rules_fired(text, age=0.1)
    assert "acute_abdomen_surgical" in rules_fired(text, age=0.1, symptoms=["regurgitation"])


@phrases("text")
def test_green_stool_or_food_beside_a_spit_up_is_not_bile(text: str) -> None:
    """Green stools are common in healthy infants and green food is food: quiet, also when the engine hands in
    the regurgitation it read (a code the text tells keeps its place, so the window still applies)."""
    assert "acute_abdomen_surgical" not in rules_fired(text, age=0.2)
    assert "acute_abdomen_surgical" not in rules_fired(text, age=0.2, symptoms=["regurgitation"])


@phrases("text")
def test_bleeding_after_the_menopause_is_urgent_beside_menopause_words(text: str) -> None:
    """NICE NG12: post-menopausal bleeding is an urgent (suspected cancer) referral, also when told beside the
    hot flushes of the menopause (NICE NG23), which alone are routine."""
    assert "postmenopausal_bleeding" in {flag.id for flag in urgent_signs(text, sex="f", age=56)}


def test_hot_flushes_alone_are_no_urgent_sign() -> None:
    assert not urgent_signs("50 saal ki hoon, mahwari band ho gayi hai, garmi ki lehar uthti hai", sex="f", age=50)
