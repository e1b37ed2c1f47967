"""A medicine allergy the patient tells us ("I am allergic to penicillin", "mujhe penicillin se
allergy hai", "ਮੈਨੂੰ ਪੈਨਿਸਿਲਿਨ ਤੋਂ ਐਲਰਜੀ ਹੈ"): kept in their record, where every doctor they consult
sees it and the prescription check warns on it (issue #20 item 2).

Thin: which medicine is read by ``engine.meds.safety.find_allergens`` (the medicine knowledge base,
any script); storing is ``records``. The reply always says what to do if a reaction happens (108).
"""

from __future__ import annotations

import logging

from rasa_sdk.events import FollowupAction

from actions.common import SaathiAction, latest_text, say

log = logging.getLogger(__name__)


class ActionTellAllergy(SaathiAction):
    action_name = "action_tell_allergy"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from actions.health_record import me, patient_of, service
        from engine.meds.safety import find_allergens, is_question
        from records import Purpose

        text = latest_text(tracker)
        if is_question(text):  # "is penicillin safe if I have allergy?": answered, nothing recorded
            return [FollowupAction("action_ask_medicine")]
        found = find_allergens(text)
        if not found:
            say(dispatcher, "meds_allergy_which", language)
            return []
        try:
            pid = patient_of(tracker, language)
            added = [name for name in found
                     if service().add_allergy(me(pid), pid, name, allergen=name, source="patient",
                                              purpose=Purpose.SELF_CARE) is not None]
        except Exception as exc:  # the record failing must not end the conversation
            log.error("allergy not recorded (%s)", type(exc).__name__)
            say(dispatcher, "meds_allergy_unavailable", language)
            return []
        names = ", ".join(found)
        say(dispatcher, "meds_allergy_saved" if added else "meds_allergy_known", language, names=names)
        return []
