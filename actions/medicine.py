"""Medicine questions: "what is Dolo 650 for?", "can I take X with Y?" — from the medicine KB.

One medicine named: what it is for, how to take it, side effects, warnings (``engine.meds``).
Two or more: the interaction check first (serious pairs lead), then a short line per medicine.
Every answer ends with the way to a doctor or pharmacist; nothing here says to stop a medicine.
A medicine question that names a place or PIN, or asks where to get it, is a pharmacy search, whatever
intent it was given: intent models retrained on other machines have called "ਡੋਲੋ 650 ਧੂਰੀ ਵਿੱਚ ਕਿੱਥੇ
ਮਿਲੇਗੀ" (0.71) and "paracetamol kahan milegi" ask_medicine.
"""

from __future__ import annotations

from rasa_sdk.events import FollowupAction

from actions.common import SaathiAction, latest_text, say


def medicines_named(text: str) -> list:
    from engine.meds.parse import find_medicines

    seen, found = set(), []
    for match in find_medicines(text):
        if match.name not in seen:
            seen.add(match.name)
            found.append(match)
    return found


class ActionAskMedicine(SaathiAction):
    action_name = "action_ask_medicine"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from engine.i18n import t
        from engine.meds import check_interactions, explain_medicine
        from engine.meds.safety import tells_allergy
        from engine.pharmacy import locate
        from engine.pharmacy.where import asks_where_to_get

        text = latest_text(tracker)
        if tells_allergy(text):  # "mujhe amoxicillin se allergy hai": recorded, not explained
            return [FollowupAction("action_tell_allergy")]
        if locate(text) is not None or asks_where_to_get(text):  # "ਡੋਲੋ 650 ਧੂਰੀ ਵਿੱਚ ਕਿੱਥੇ ਮਿਲੇਗੀ", "kahan milegi"
            return [FollowupAction("action_find_pharmacy")]
        named = medicines_named(text)
        if not named:
            say(dispatcher, "core_medicine_prompt", language)
            return []
        if len(named) >= 2:
            generics = [g for m in named for g in m.generics]
            interactions = check_interactions(generics)
            if interactions:
                for interaction in sorted(interactions, key=lambda i: i.severity != "major"):
                    dispatcher.utter_message(
                        text=t("core_medicine_interaction", language, advice=interaction.advice(language)),
                        json_message={"key": "core_medicine_interaction", "language": language,
                                      "fields": {"advice": interaction.advice(language)}})
            else:
                say(dispatcher, "core_medicine_no_interaction", language,
                    names=", ".join(m.name for m in named))
            return []
        explanation = explain_medicine(named[0].name, language)
        if explanation is None:
            say(dispatcher, "core_medicine_unknown", language)
            return []
        dispatcher.utter_message(text=explanation.to_text(),
                                 json_message={"key": "meds_explain_header", "language": language, "fields": {}})
        return []
