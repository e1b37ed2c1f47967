"""Issue #13, third pass: what must stay quiet next to the sign that must still fire.

Each quiet sentence is an everyday one the rule's source says is not the emergency; each firing
sentence is the same words with the danger the source names. Own cases, written from the sources
cited in data/red_flags.json (``masks``, ``history``, ``own_dose_only``, ``psychosis_danger_to_others``,
``newborn_jaundice_danger``), not from any evaluation set.
"""

from __future__ import annotations

from engine.emergency import advice_keys
from nlu.red_flags import RULES_PATH, detect_red_flags, read_json
from tests.support.phrases import phrases
from tests.support.red_flags import fired


@phrases("text")
def test_everyday_sentences_stay_quiet(text):
    assert not detect_red_flags(text)


@phrases("text", "rule")
def test_the_danger_next_to_them_still_fires(text, rule):
    assert rule in fired(text)


def test_psychosis_gets_its_own_first_aid():
    assert advice_keys(["psychosis_danger_to_others"]) == ["core_emergency", "core_emergency_tip_psychosis"]


def test_every_mask_and_history_rule_names_a_source_and_a_quiet_sentence():
    data = read_json(RULES_PATH)
    for entry in [*data["masks"].values(), data["history"]]:
        assert entry["source"] and entry["quiet"]
        # a mask that needs another fact ("with": the jolt is masked only beside an electric word) is quiet
        # but for the rules of that fact, which its entry names ("fires")
        assert {flag.id for flag in detect_red_flags(entry["quiet"])} == set(entry.get("fires", ()))



def test_feeding_less_is_a_danger_sign_only_for_a_young_infant():
    """WHO IMCI: 'not able to drink or breastfeed' from 2 months; 'not feeding well' under 2 months."""
    text = "baby has white patches on tongue and inside cheeks, feeding less"
    assert not detect_red_flags(text, age=1)
    assert "child_not_feeding" in {f.id for f in detect_red_flags(text, age=0.1)}
