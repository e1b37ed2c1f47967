"""Issue #13 false alarms and a missed rate, seen through ``saathi triage``.

Each danger sign sits beside an everyday sentence that must stay quiet; sources in data/red_flags.json
(``heart_attack_idiom``, ``shock_simile`` masks) and data/vitals.json (``single_digit_keywords``):

* "dil ka daura" is a heart attack (McGregor, Oxford Hindi-English Dictionary: daura is an attack of an
  illness; with the organ named it is that organ's), not a fit (WHO mhGAP 2.0): heart attack fires,
  seizure does not. "daura pada" alone, "jhatke aa rahe hain", "haath pair jhatak rahe hain" stay fits.
* "bijli ke jhatke jaisa dard" is nerve pain (NICE CKS Neuropathic pain), not a convulsion.
* "haath pair jhatak ke dekho" ("shake your hands and legs and see") is an instruction to try something
  (McGregor, Outline of Hindi Grammar: conjunctive participle + dekhna), not a fit (``try_shaking`` mask,
  ``overlap``): "haath pair jhatak rahe hain" beside it still fires.
* "RR 8": RCP NEWS2 (2017) scores a respiratory rate of 8/min or less 3; a clinician writes it without a
  unit. "8 din se" stays a duration.
"""
from __future__ import annotations

import pytest

from nlu.vitals import read_vitals
from tests.support.red_flags import rules_fired

HEART_ATTACK = ["dil ka daura pada", "papa ko dil ka daura pada hai", "दिल का दौरा पड़ा", "ਦਿਲ ਦਾ ਦੌਰਾ ਪਿਆ",
                "dil da daura pai gaya"]
SHOCK_PAIN = ["bijli ke jhatke jaisa dard", "पैर में बिजली के झटके जैसा दर्द", "ਬਿਜਲੀ ਦੇ ਝਟਕੇ ਵਰਗਾ ਦਰਦ"]
FITS = ["jhatke aa rahe hain", "झटके आ रहे हैं", "ਝਟਕੇ ਆ ਰਹੇ ਹਨ", "daura pada", "दौरा पड़ा", "ਦੌਰਾ ਪਿਆ",
        "haath pair jhatak raha hai", "बच्चे के हाथ पैर झटक रहे हैं", "ਹੱਥ ਪੈਰ ਝਟਕ ਰਹੇ ਨੇ"]



@pytest.fixture(scope="module")
def engine():
    from engine.triage import default_engine

    return default_engine()


@pytest.mark.parametrize("text", HEART_ATTACK)
def test_a_heart_attack_is_not_a_fit(text: str, engine) -> None:
    assert "seizure" not in rules_fired(text) and "cardiac_chest_pain" in rules_fired(text)
    result = engine.triage(text)
    assert result.urgency == "emergency"
    assert "seizure" not in result.red_flags and "seizure" not in result.symptoms


@pytest.mark.parametrize("text", SHOCK_PAIN)
def test_pain_like_electric_shocks_is_not_a_fit(text: str, engine) -> None:
    result = engine.triage(text)
    assert "seizure" not in result.red_flags and "seizure" not in result.symptoms
    assert result.urgency != "emergency"


@pytest.mark.parametrize("text", FITS)
def test_fits_stay_fits(text: str, engine) -> None:
    assert "seizure" in rules_fired(text)
    assert engine.triage(text).urgency == "emergency"


INSTRUCTIONS = ["haath pair jhatak ke dekho", "haath pair jhatak kar dekho, dard kam hota hai ya nahi",
                "hath pair jhatak karke dekhiye", "हाथ पैर झटक के देखो", "ਹੱਥ ਪੈਰ ਝਟਕ ਕੇ ਵੇਖੋ", "jhatak ke dekho ji"]


@pytest.mark.parametrize("text", INSTRUCTIONS)
def test_an_instruction_to_shake_the_limbs_is_not_a_fit(text: str, engine) -> None:
    assert "seizure" not in rules_fired(text)
    result = engine.triage(text)
    assert "seizure" not in result.red_flags and result.urgency != "emergency"


@pytest.mark.parametrize("text", [
    "haath pair jhatak ke dekho, bachche ke haath pair jhatak rahe hain",   # the real sign in its own clause
    "bachche ke haath pair jhatak rahe hain, maine kaha jhatak ke dekho",
    "jhatke aa rahe hain, haath pair jhatak ke dekho",
])
def test_a_fit_beside_an_instruction_still_fires(text: str) -> None:
    assert "seizure" in rules_fired(text)


def test_shaking_out_clothes_is_not_a_fit() -> None:
    assert not rules_fired("wo kapde jhatak raha hai")


@pytest.mark.parametrize("text", ["RR 8", "resp rate 8", "respiratory rate 6", "breathing 6 a minute", "RR 5"])
def test_a_single_digit_breathing_rate_is_read_and_is_an_emergency(text: str, engine) -> None:
    assert [r.measure for r in read_vitals(text).readings] == ["resp_rate"]
    assert engine.triage(text).urgency == "emergency"


@pytest.mark.parametrize("text", ["8 din se bukhar", "saans 8 din se phool rahi hai", "RR 8 din se", "saans 8"])
def test_a_single_digit_without_a_clinical_name_is_no_rate(text: str) -> None:
    assert not [r for r in read_vitals(text).readings if r.measure == "resp_rate"]
