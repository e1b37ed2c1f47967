"""Which emergency advice fits which red flags: one answer for the action server and the gateway.

The red-flag rules live in ``nlu.red_flags`` (Rasa's pipeline and the actions run them); the
catalogue keys of the advice they call for live here, so that the gateway, which answers
emergencies itself while Rasa or the action server is down (``channels.conversation``), says
exactly what ``action_emergency`` says: ``core_emergency`` and the first-aid tips of the flags.
"""

from __future__ import annotations

from collections.abc import Iterable

from nlu.red_flags import advice_for

#: Each red-flag rule names its first-aid tip (``advice`` in data/red_flags.json →
#: core_emergency_tip_<advice>). Flags from the other nets (vital signs, the text classifier) have
#: no rule of their own: for them the tip is matched by word in the flag id, most specific first.
TIP_BY_RULE_WORD: list[tuple[tuple[str, ...], str]] = [
    (("suicid", "self_harm"), "suicide"),
    (("abdomen", "torsion"), "surgical"),
    (("hypoglyc", "low_sugar"), "low_sugar"),
    (("scorpion",), "scorpion"),
    (("snake",), "snake_bite"),
    (("poison", "overdose", "pesticide"), "poisoning"),
    (("pregnan", "eclampsia", "antepartum", "postpartum", "fetal", "obstetric"), "pregnancy"),
    (("infant", "child", "imci", "newborn"), "child"),
    (("head_injury",), "head_injury"),
    (("thunderclap",), "thunderclap"),
    (("stiff_neck", "meningit"), "meningitis"),
    (("stroke", "facial", "one_sided", "slurred"), "stroke"),
    (("chest", "cardiac", "heart", "mi_"), "chest_pain"),
    (("seizure", "convuls", "fit"), "seizure"),
    (("anaphyla", "allerg"), "allergy"),
    (("burn",), "burn"),
    (("heat",), "heat"),
    (("dka", "sugar", "diabet"), "sugar"),
    (("bleed", "haemorrh", "hemorrh", "vomit_blood", "blood"), "bleeding"),
    (("breath", "cyanosis", "blue", "airway"), "breathing"),
    (("shock",), "shock"),
    (("unconscious", "unrespons", "faint", "coma"), "unconscious"),
    # readings (nlu/vitals.py: vital_<threshold id>)
    (("hypox", "spo2", "resp_rate"), "breathing"),
    (("hypotension",), "shock"),
    (("hyperosmolar", "hyperglyc"), "sugar"),
    (("hyperpyrexia",), "heat"),
    (("news2_aggregate", "sepsis"), "sepsis"),
]
#: The sentence every emergency answer starts with (108 / 112, go now).
EMERGENCY_KEY = "core_emergency"


def _tip_by_word(rule_id: str) -> str | None:
    lowered = rule_id.lower()
    return next((tip for words, tip in TIP_BY_RULE_WORD if any(word in lowered for word in words)), None)


def tips_for(rule_ids: Iterable[str], limit: int = 2) -> list[str]:
    """Catalogue keys of the first-aid tips that fit these red flags (at most ``limit``)."""
    tips: list[str] = []
    for rule_id in rule_ids:
        tip = advice_for(rule_id) or _tip_by_word(rule_id)
        key = f"core_emergency_tip_{tip}"
        if tip and key not in tips:
            tips.append(key)
    return tips[:limit]


def advice_keys(rule_ids: Iterable[str]) -> list[str]:
    """The emergency answer for these red flags, as catalogue keys in the order they are said."""
    return [EMERGENCY_KEY, *tips_for(rule_ids)]
