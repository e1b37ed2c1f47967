"""Routes to the services around the conversation: doctors, medicines, pharmacies, records.

Each action only hands over to its engine; where an engine is not part of this build yet, the
reply says so honestly and points to the public service that does it (104, eSanjeevani, Jan
Aushadhi), never a made-up answer.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SaathiAction, SayAction, say


def offer_doctor(dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> list:
    say(dispatcher, "core_doctor_contact", language)
    return [SlotSet("pending_offer", None)]


class ActionTalkToDoctor(SaathiAction):
    def name(self) -> str:
        return "action_talk_to_doctor"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        return [*offer_doctor(dispatcher, tracker, language), SlotSet("requested_slot", None)]


class ActionAskMedicine(SayAction):
    action_name, message_key = "action_ask_medicine", "core_medicine_prompt"


class ActionFindPharmacy(SayAction):
    action_name, message_key = "action_find_pharmacy", "core_pharmacy_prompt"


class ActionMyRecords(SayAction):
    action_name, message_key = "action_my_records", "core_records_prompt"


class ActionShareRecords(SayAction):
    action_name, message_key = "action_share_records", "core_records_prompt"


class ActionDeleteMyData(SayAction):
    action_name, message_key = "action_delete_my_data", "core_records_prompt"
