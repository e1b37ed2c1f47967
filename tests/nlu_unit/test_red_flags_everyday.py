"""Everyday sentences that read like a danger sign, beside the real sign each must still catch.

Found on main by reading sentences patients really send: a diabetic's years with the disease read as a
sugar reading, a pain "like electric shocks" read as an electric injury, bleeding after intercourse
read as heavy bleeding, a one-sided scrotal swelling read as one-sided weakness. Each pair keeps the
quiet sentence quiet for that rule and the real sign firing (sources in data/red_flags.json).
"""
from __future__ import annotations

from tests.support.phrases import phrases
from tests.support.red_flags import fired

SUGAR = {"low_sugar_hypoglycaemia", "vital_severe_hypoglycaemia", "vital_hypoglycaemia"}
ELECTRIC = {"electrical_injury", "severe_burn", "seizure"}


@phrases("text")
def test_a_duration_is_not_a_sugar_reading(text: str) -> None:
    assert not fired(text) & SUGAR


@phrases("text")
def test_a_low_sugar_reading_still_fires(text: str) -> None:
    assert fired(text) & SUGAR


@phrases("text")
def test_a_pain_like_electric_shocks_is_not_an_electric_injury(text: str) -> None:
    assert not fired(text) & ELECTRIC


@phrases("text")
def test_a_real_electric_shock_still_fires(text: str) -> None:
    assert "electrical_injury" in fired(text) or "severe_burn" in fired(text)


@phrases("text")
def test_post_coital_bleeding_is_not_heavy_bleeding(text: str) -> None:
    assert "heavy_bleeding" not in fired(text, sex="f", age=35)


@phrases("text", "rule")
def test_heavy_or_pregnancy_bleeding_still_fires(text: str, rule: str) -> None:
    assert rule in fired(text, sex="f", age=30)


def test_one_sided_scrotal_swelling_is_not_a_stroke() -> None:
    assert "stroke_signs" not in fired("andkosh mein ek taraf sojh hai", sex="m", age=45)
    assert "stroke_signs" in fired("ek taraf kamzori aur muh tedha", sex="m", age=45)
    assert "testicular_torsion" in fired("andkosh mein achanak tez dard", sex="m", age=17)


def test_a_side_that_grows_heavy_is_not_a_stroke_unless_sudden() -> None:
    """BE-FAST's signs are sudden (AHA/ASA): heaviness over months is a swelling, heaviness all at once a stroke."""
    assert "stroke_signs" not in fired("andkosh mein ek taraf dheere dheere badhti sojh, dard nahi, bhaari lagta hai",
                                       sex="m", age=50)
    assert "stroke_signs" not in fired("एक पैर कई साल से मोटा और भारी होता जा रहा है", sex="f", age=35)
    assert "stroke_signs" not in fired("ਇੱਕ ਪਾਸੇ ਦੀ ਲੱਤ ਸਾਲਾਂ ਤੋਂ ਮੋਟੀ ਤੇ ਭਾਰੀ", sex="f", age=35)
    for text in ("achanak ek taraf ka haath pair bhaari ho gaya", "ਅਚਾਨਕ ਇੱਕ ਪਾਸਾ ਭਾਰੀ ਹੋ ਗਿਆ",
                 "left arm suddenly feels heavy", "ek taraf ka haath pair kaam nahi kar raha",
                 "अचानक एक तरफ़ का हाथ भारी हो गया"):
        assert "stroke_signs" in fired(text, sex="m", age=60), text


def test_a_toddler_who_does_not_respond_to_his_name_is_not_unconscious() -> None:
    assert "unconscious" not in fired("my 2 year old does not respond to his name", age=2)
    assert "unconscious" not in fired("she doesn't respond to her name and makes no eye contact", age=2)
    assert "unconscious" in fired("fever 2 days, now not responding to his name", age=2)
    assert "unconscious" in fired("he is not responding", age=2)



@phrases("text", "rule")
def test_an_everyday_sense_does_not_fire_the_rule(text: str, rule: str) -> None:
    """Words that also name a danger sign, said in their everyday sense (the TSV says why per section):
    a jaw that clicks is not tetanus (NICE CKS TMD); the English "and" is the stem of the Punjabi "ande"
    (testicles), so a wasp sting "red and swollen" fired testicular torsion for a 20-year-old
    (nlu/matcher.py, PhraseMatcher._stem); "paisa doob gaya" is money lost and "fasal doob gayi" a
    flooded crop (mask ``sunk_things``). A young man is assumed: the torsion rule needs one."""
    assert rule not in fired(text, sex="m", age=20)


@phrases("text", "rule")
def test_the_danger_sign_itself_still_fires(text: str, rule: str) -> None:
    assert rule in fired(text, sex="m", age=20)
