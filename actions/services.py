"""Routes to the services around the conversation: doctors, medicines, pharmacies, records.

Each action only hands over to its engine; where an engine is not part of this build yet, the
reply says so honestly and points to the public service that does it (104, eSanjeevani, Jan
Aushadhi), never a made-up answer.
"""

from __future__ import annotations

from actions.common import SayAction


class ActionAskMedicine(SayAction):
    action_name, message_key = "action_ask_medicine", "core_medicine_prompt"
