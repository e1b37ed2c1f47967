"""Danger signs built from parts (site x injury/symptom x extent x who), in every language and register.

Development cases written for the compositional rules (data/lexicon/danger_parts.tsv and the
``derived`` facts of data/red_flags.json): paraphrases in English, Hindi and Punjabi (native script
and romanised), clinical-register English, and near misses that must stay quiet. Stdlib + pytest
only: this file also runs under the Rasa interpreter (Python 3.10).
"""

from __future__ import annotations

import re

from nlu.danger_parts import part_rows
from nlu.red_flags import RULES_VERSION, derived, read, rules
from tests.support.phrases import phrases
from tests.support.red_flags import fired


@phrases("text", "rule_id")
def test_paraphrases_fire_their_rule(text, rule_id):
    """Paraphrases nobody listed as a phrase, and the clinical register."""
    assert rule_id in fired(text)


@phrases("text")
def test_more_paraphrases_raise_an_emergency(text):
    assert fired(text)


@phrases("text")
def test_near_misses_stay_quiet(text):
    """Ordinary complaints and near misses, in every round."""
    assert fired(text) == set()


def test_an_absent_part_is_a_fact_of_its_own():
    facts = {("!" if m.negated else "") + m.label for m in read("bachcha doodh nahi kheench raha").mentions}
    assert "!feed" in facts
    assert "!feed" not in {("!" if m.negated else "") + m.label for m in read("bachcha doodh kheench raha").mentions}


def test_body_sites_keep_no_polarity():
    facts = {("!" if m.negated else "") + m.label for m in read("munh nahi khul raha").mentions}
    assert "site_mouth" in facts and "!open_word" in facts


def test_a_minimiser_or_a_finger_keeps_a_small_burn_out_but_not_a_face_burn():
    assert "severe_burn" not in fired("haath pe thoda sa jal gaya")
    assert "severe_burn" in fired("chehra jal gaya")
    assert "severe_burn" in fired("pura haath jal gaya")


def test_harmless_creatures_are_not_snake_bites():
    assert "snake_bite" not in fired("raat ko khet me machhar ne kaata, do nishan aur sujan")
    assert "snake_bite" in fired("raat ko khet me kisi cheez ne kaata, do nishan aur sujan")


def test_who_changes_the_danger():
    assert "child_not_feeding" in fired("not able to drink anything", age=1)
    assert "child_not_feeding" not in fired("not able to drink anything", age=40)
    assert "young_infant_fever" in fired("navjaat bachche ka sharir thanda pad gaya")
    assert "pregnancy_other_danger" in fired("tez bukhar hai", pregnant=True)
    assert "pregnancy_other_danger" not in fired("tez bukhar hai", pregnant=True, sex="m")
    assert "head_injury_danger" in fired("fell and hit his head, now headache", age=80)
    assert "head_injury_danger" not in fired("fell and hit his head, now headache", age=30)


def test_gcs_is_read_as_a_score():
    assert "unconscious" in fired("GCS 7/15")
    assert fired("GCS 15, alert and talking") == set()


def test_negated_parts_never_assert_a_danger():
    for text in ("chehra nahi jala", "no burns on the face", "ਬੱਚਾ ਦੁੱਧ ਨਹੀਂ ਛੱਡਦਾ, ਚੰਗਾ ਪੀਂਦਾ"):
        assert "severe_burn" not in fired(text)


# --- the data itself: reviewable, cited, in every language and script ---

DEVANAGARI = re.compile(r"[\u0900-\u097f]")
GURMUKHI = re.compile(r"[\u0a00-\u0a7f]")

INDIC_ONLY = {"unable_post"}  # "pee nahi pa raha": English puts its "can't" before the verb (unable_pre)


def test_every_part_has_forms_in_three_languages_and_scripts():
    forms: dict[str, dict[str, list[str]]] = {}
    for key, lang, form in part_rows():
        forms.setdefault(key, {}).setdefault(lang, []).append(form)
    for key, by_lang in forms.items():
        assert {"hi", "pa"} | ({"en"} if key not in INDIC_ONLY else set()) <= set(by_lang), f"{key}: {sorted(by_lang)}"
        assert any(DEVANAGARI.search(f) for f in by_lang["hi"]), f"{key}: no Devanagari form"
        assert any(f.isascii() for f in by_lang["hi"]), f"{key}: no romanised Hindi form"
        assert any(GURMUKHI.search(f) for f in by_lang["pa"]), f"{key}: no Gurmukhi form"
        assert any(f.isascii() for f in by_lang["pa"]), f"{key}: no romanised Punjabi form"


def test_every_rule_and_derived_fact_is_cited_and_versioned():
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", RULES_VERSION)
    assert len(derived()) >= 20
    for rule in rules():
        assert rule.source and rule.advice and rule.reason.endswith(".")


@phrases("text")
def test_a_sulfa_drug_allergy_statement_is_not_a_poisoning(text):
    assert "poisoning" not in fired(text)
    assert "sulfa_allergy_only" in {name for name, _ in derived()}


@phrases("text")
def test_sulphas_swallowed_smelled_or_with_symptoms_stays_a_poisoning(text):
    assert "poisoning" in fired(text)


def test_a_sulfa_allergy_with_breathing_trouble_is_still_an_emergency():
    assert {"poisoning", "anaphylaxis"} <= fired("sulfa se allergy, saans nahi aa rahi")
