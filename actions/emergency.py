"""Emergency advice: said at once, in the user's language, at any turn, whatever else is going on."""

from __future__ import annotations

from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SaathiAction, red_flags_of_latest, say

# Red-flag rule ids (nlu/red_flags) → first-aid tip in the catalogue (core_emergency_tip_*).
# Matched by word in the rule id, most specific first, so new rules get a sensible tip too.
_TIP_BY_RULE_WORD: list[tuple[tuple[str, ...], str]] = [
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
]


def tips_for(rule_ids: list[str], limit: int = 2) -> list[str]:
    """Catalogue keys of the first-aid tips that fit these red flags (at most ``limit``)."""
    tips: list[str] = []
    for rule_id in rule_ids:
        lowered = rule_id.lower()
        for words, tip in _TIP_BY_RULE_WORD:
            if any(word in lowered for word in words):
                key = f"core_emergency_tip_{tip}"
                if key not in tips:
                    tips.append(key)
                break
    return tips[:limit]


def send_emergency_advice(dispatcher: CollectingDispatcher, language: str, rule_ids: list[str]) -> None:
    say(dispatcher, "core_emergency", language)
    for key in tips_for(rule_ids):
        say(dispatcher, key, language)


class ActionEmergency(SaathiAction):
    """Interrupts anything (the intake form included) with emergency advice."""

    check_emergency = False

    def name(self) -> str:
        return "action_emergency"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        send_emergency_advice(dispatcher, language, red_flags_of_latest(tracker))
        say(dispatcher, "core_emergency_after", language)
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("pending_offer", None)]
