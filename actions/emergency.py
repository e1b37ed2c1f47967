"""Emergency advice: said at once, in the user's language, at any turn, whatever else is going on."""

from __future__ import annotations

from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SaathiAction, red_flags_of_latest, say
from engine.emergency import advice_keys, tips_for

__all__ = ["ActionEmergency", "send_emergency_advice", "tips_for"]


def send_emergency_advice(dispatcher: CollectingDispatcher, language: str, rule_ids: list[str]) -> None:
    for key in advice_keys(rule_ids):  # engine.emergency: what the gateway says too while Rasa is down
        say(dispatcher, key, language)


class ActionEmergency(SaathiAction):
    """Interrupts anything (the intake form included) with emergency advice."""

    check_emergency = False

    action_name = "action_emergency"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        send_emergency_advice(dispatcher, language, red_flags_of_latest(tracker))
        say(dispatcher, "core_emergency_after", language)
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("pending_offer", None)]
