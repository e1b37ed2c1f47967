"""Everyday sentences that read like a danger sign, beside the real sign each must still catch.

Found on main by reading sentences patients really send: a diabetic's years with the disease read as a
sugar reading, a pain "like electric shocks" read as an electric injury, bleeding after intercourse
read as heavy bleeding, a one-sided scrotal swelling read as one-sided weakness. Each pair keeps the
quiet sentence quiet for that rule and the real sign firing (sources in data/red_flags.json).
"""
from __future__ import annotations

import pytest

from tests.support.red_flags import fired

SUGAR = {"low_sugar_hypoglycaemia", "vital_severe_hypoglycaemia", "vital_hypoglycaemia"}
ELECTRIC = {"electrical_injury", "severe_burn", "seizure"}


@pytest.mark.parametrize("text", [
    "I have had diabetes for 15 years and feel dizzy",
    "diabetic for 15 years and feel dizzy",
    "sugar ki bimari 10 saal se hai aur chakkar aata hai",
    "ਮੈਨੂੰ 10 ਸਾਲ ਤੋਂ ਸ਼ੂਗਰ ਹੈ ਤੇ ਚੱਕਰ ਆਉਂਦੇ ਹਨ",
    "शुगर 10 साल से है, चक्कर आते हैं",
    "sugar 6 mahine se hai, chakkar",
    "diabetes for 20 days, feeling dizzy",
])
def test_a_duration_is_not_a_sugar_reading(text: str) -> None:
    assert not fired(text) & SUGAR


@pytest.mark.parametrize("text", [
    "sugar 40 aur chakkar",
    "sugar chalis aayi aur pasina",
    "sugar 45 hai, 10 saal se diabetes, chakkar",
    "शुगर 40 है और पसीना",
])
def test_a_low_sugar_reading_still_fires(text: str) -> None:
    assert fired(text) & SUGAR


@pytest.mark.parametrize("text", [
    "bijli ke jhatke jaisa dard",
    "pair mein bijli ke jhatke jaisa dard hota hai",
    "pain like electric shocks in my leg",
    "बिजली के झटके जैसा दर्द",
    "ਲੱਤ ਵਿੱਚ ਬਿਜਲੀ ਦੇ ਝਟਕੇ ਵਰਗਾ ਦਰਦ",
])
def test_a_pain_like_electric_shocks_is_not_an_electric_injury(text: str) -> None:
    assert not fired(text) & ELECTRIC


@pytest.mark.parametrize("text", [
    "bijli ka jhatka laga",
    "current lag gaya",
    "he had an electric shock from a wire",
    "bijli ka jhatka laga, ab haath mein jhatke jaisa dard",
])
def test_a_real_electric_shock_still_fires(text: str) -> None:
    assert "electrical_injury" in fired(text) or "severe_burn" in fired(text)


@pytest.mark.parametrize("text", [
    "bleeding after intercourse",
    "I get some bleeding after sex",
    "sambandh ke baad khoon aata hai",
])
def test_post_coital_bleeding_is_not_heavy_bleeding(text: str) -> None:
    assert "heavy_bleeding" not in fired(text, sex="f", age=35)


@pytest.mark.parametrize(("text", "rule"), [
    ("heavy bleeding after intercourse and feeling dizzy", "heavy_bleeding"),
    ("bleeding after intercourse, soaking pads, fainted", "heavy_bleeding"),
    ("heavy bleeding in pregnancy", "heavy_bleeding"),
    ("bleeding after sex, I am 7 months pregnant", "pregnancy_bleeding"),
])
def test_heavy_or_pregnancy_bleeding_still_fires(text: str, rule: str) -> None:
    assert rule in fired(text, sex="f", age=30)


def test_one_sided_scrotal_swelling_is_not_a_stroke() -> None:
    assert "stroke_signs" not in fired("andkosh mein ek taraf sojh hai", sex="m", age=45)
    assert "stroke_signs" in fired("ek taraf kamzori aur muh tedha", sex="m", age=45)
    assert "testicular_torsion" in fired("andkosh mein achanak tez dard", sex="m", age=17)


@pytest.mark.parametrize("text", [
    "jaw locks when I open my mouth",
    "my jaw clicks and locks when I yawn",
    "jaw sometimes locks",
])
def test_a_clicking_locking_jaw_is_not_tetanus(text: str) -> None:
    assert "tetanus_signs" not in fired(text)


@pytest.mark.parametrize("text", [
    "lockjaw after a rusty nail",
    "jaw locked, cannot open mouth",
    "jaw locked when he woke up",
    "jaw is locked since morning, stepped on a nail last week",
])
def test_lockjaw_still_fires(text: str) -> None:
    assert "tetanus_signs" in fired(text)


def test_a_toddler_who_does_not_respond_to_his_name_is_not_unconscious() -> None:
    assert "unconscious" not in fired("my 2 year old does not respond to his name", age=2)
    assert "unconscious" not in fired("she doesn't respond to her name and makes no eye contact", age=2)
    assert "unconscious" in fired("fever 2 days, now not responding to his name", age=2)
    assert "unconscious" in fired("he is not responding", age=2)
