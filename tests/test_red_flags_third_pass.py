"""Issue #13, third pass: what must stay quiet next to the sign that must still fire.

Each quiet sentence is an everyday one the rule's source says is not the emergency; each firing
sentence is the same words with the danger the source names. Own cases, written from the sources
cited in data/red_flags.json (``masks``, ``history``, ``own_dose_only``, ``psychosis_danger_to_others``,
``newborn_jaundice_danger``), not from any evaluation set.
"""

from __future__ import annotations

import pytest

from engine.emergency import advice_keys
from nlu.red_flags import RULES_PATH, detect_red_flags, read_json
from tests.support.red_flags import fired


@pytest.mark.parametrize("text", [
    "I have sleep apnoea and use a CPAP machine",           # AASM: a chronic sleep disorder
    "I bit my tongue while eating",                         # NICE CG109: a bitten tongue alone is an injury
    "jeebh kat gayi khana khate hue",
    "my father had a stroke 3 years ago",                   # past history, not a stroke now
    "पिताजी को 3 साल पहले लकवा हुआ था",
    "3 saal pehle lakwa maara tha",
    "had a heart attack last year, want to know about diet",
    "bachche ne apni dose time pe kha li",                  # the child's own dose as prescribed
    "my child took his own medicine dose as prescribed",
    "he is aggressive at work",                             # no psychosis
    "I hear voices in the next room",
    "my 5 day old is a little yellow but feeding well and active",  # NICE CG98: visible jaundice alone
    "periods are heavy, a lot of bleeding with clots",      # NICE NG88: primary care, no blood-loss signs
    "I have a lot of cough with a little blood streaks",    # NICE CKS: streaks are not massive haemoptysis
    "capillary refill 3 seconds, playing happily",          # a slow refill alone (NICE NG143 amber)
    "capillary refill under 2 seconds, playing happily",
    "sneezing fits every morning, watery runny nose",       # a bout, not a seizure
    "khansi ke daure pad rahe hain",
    "kai dino se potty saaf nahi hoti, sakht hoti hai, pet bhaari",  # Rome IV: a hard stool
    "fainted briefly in the hot sun, woke quickly, fine now",        # heat syncope (NAP-HRI 2021)
    "legs weak after climbing up to the 4th floor",
    "breathless when lying down, wakes at night gasping",   # orthopnoea alone: urgent (NICE NG106)
])
def test_everyday_sentences_stay_quiet(text):
    assert not detect_red_flags(text)


@pytest.mark.parametrize(("text", "rule"), [
    ("sleep apnoea, now lips turning blue", "severe_breathing_difficulty"),
    ("premature baby with apnoea", "severe_breathing_difficulty"),
    ("he bit his tongue and fell unconscious", "seizure"),
    ("history of stroke, now sudden weakness of left arm", "stroke_signs"),
    ("70 year old with previous stroke presents with slurred speech", "stroke_signs"),
    ("had a stroke 2 years ago and today his face is drooping", "stroke_signs"),
    ("had a heart attack last year, now chest pain and sweating", "cardiac_chest_pain"),
    ("bachche ne apni dawai kha li", "poisoning"),           # the amount is not said: safety first
    ("bachche ne apni dawai ki poori shishi pee li", "poisoning"),
    ("my child took his own medicine dose as prescribed but took the whole bottle", "poisoning"),
    ("my son swallowed some of my tablets", "poisoning"),   # a parent's medicine
    ("beti ne meri goliyan kha li", "poisoning"),
    ("he is hearing voices and wants to kill someone", "psychosis_danger_to_others"),
    ("mera beta pagal jaisa ho gaya hai, kulhadi lekar sabko maarne daudta hai", "psychosis_danger_to_others"),
    ("ਮੁੰਡਾ ਪਾਗਲਾਂ ਵਰਗਾ ਹੋ ਗਿਆ, ਚਾਕੂ ਲੈ ਕੇ ਘੁੰਮਦਾ", "psychosis_danger_to_others"),
    ("2 week old baby yellow, high pitched cry and arching back", "newborn_jaundice_danger"),
    ("navjaat bachcha peela hai aur doodh nahi pee raha", "newborn_jaundice_danger"),
    ("coughing up pink frothy sputum and breathless lying flat", "severe_breathing_difficulty"),
    ("periods are heavy with clots and I feel dizzy and faint", "heavy_bleeding"),
    ("coughing blood a lot", "heavy_bleeding"),
    ("coughing up a cup of blood", "heavy_bleeding"),
    ("baby movements have reduced since yesterday, 36 weeks pregnant", "reduced_fetal_movement"),
    ("mottled skin, capillary refill 5 seconds", "shock_signs"),                 # WHO ETAT, NICE NG51
    ("capillary refill time more than 3 seconds in a child with diarrhoea", "shock_signs"),
    ("delayed capillary refill and cold hands", "shock_signs"),
    ("sneezing fits and then jerking all over and unconscious", "seizure"),
    ("pet sakht ho gaya hai aur dard", "acute_abdomen_surgical"),
    ("fainted in the hot sun and is still not waking properly", "heat_stroke"),
    ("fainted in the heat", "heat_stroke"),
    ("8 months pregnant, sudden gush of clear water from below, no pains yet", "pregnancy_waters_leaking"),
    ("weakness started in both legs 3 days ago and is climbing up to arms, cannot stand", "ascending_paralysis"),
    ("2 week old baby feeding less", "child_not_feeding"),
    ("baby feeding less", "child_not_feeding"),              # age unknown: safety first
    ("can't lie flat, breathless even at rest, sweating", "acute_heart_failure"),  # ESC 2021, NICE CG187
    ("letne par saans phoolti hai, baithe baithe bhi saans chadh rahi, pasina", "acute_heart_failure"),
])
def test_the_danger_next_to_them_still_fires(text, rule):
    assert rule in fired(text)


def test_psychosis_gets_its_own_first_aid():
    assert advice_keys(["psychosis_danger_to_others"]) == ["core_emergency", "core_emergency_tip_psychosis"]


def test_every_mask_and_history_rule_names_a_source_and_a_quiet_sentence():
    data = read_json(RULES_PATH)
    for entry in [*data["masks"].values(), data["history"]]:
        assert entry["source"] and entry["quiet"]
        assert not detect_red_flags(entry["quiet"])



def test_feeding_less_is_a_danger_sign_only_for_a_young_infant():
    """WHO IMCI: 'not able to drink or breastfeed' from 2 months; 'not feeding well' under 2 months."""
    text = "baby has white patches on tongue and inside cheeks, feeding less"
    assert not detect_red_flags(text, age=1)
    assert "child_not_feeding" in {f.id for f in detect_red_flags(text, age=0.1)}
