""""Talk to a doctor": a real handoff to the provider portal, in the user's language.

The bot (acting as the patient, who asked) puts a case in the doctors' queue with the patient's
words and the last triage result (slot ``last_triage``, the contract dict), then offers the
next times: "now" when a suitable doctor is on duty, else up to three slots (reply 1/2/3).
Choosing books the slot, opens the consultation and lets that doctor see the case and reports
for 72 hours (the message says so). If the portal's database is not set up, the reply falls
back to the public options (104, eSanjeevani, PHC) it always gave.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SaathiAction, latest_text, say

log = logging.getLogger(__name__)
PENDING = "doctor_slot"


def set_handoff(handoff: Any) -> None:
    """Tests (and an embedding process) hand in their :class:`engine.handoff.service.Handoff`."""
    from actions.services import current

    current().set_handoff(handoff)


def _portal_ready(url: str) -> bool:
    """The portal tables exist (checked without creating a database file as a side effect)."""
    from pathlib import Path

    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    from records.db import normalise_url

    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return False
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        return inspect(engine).has_table("handoff_cases")
    finally:
        engine.dispose()


def handoff() -> Any:
    """The process's Handoff (``actions.services``, its composition root); None while the portal
    is not set up."""
    from actions.services import current

    return current().handoff(_portal_ready)


def _patient(h: Any, tracker: Tracker, language: str) -> Any:
    return h.records.get_or_create_patient("sender", tracker.sender_id, language)


def _channel(tracker: Tracker) -> str:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    channel = str(metadata.get("channel") or "whatsapp").lower()
    return "whatsapp" if channel == "whatsapp" else "sms"


def offer_doctor(dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> list:
    """Queue a case and offer times; the public options when no doctor can be booked."""
    h = handoff()
    if h is None:
        say(dispatcher, "core_doctor_contact", language)
        return [SlotSet("pending_offer", None)]
    try:
        text = tracker.get_slot("complaint_text") or latest_text(tracker)
        offer = h.request_doctor(_patient(h, tracker, language), text=text, triage=tracker.get_slot("last_triage"),
                                 language=language, channel=_channel(tracker),
                                 pregnant=tracker.get_slot("pregnant") == "yes")  # for the prescription check
    except Exception as exc:  # noqa: BLE001
        log.warning("doctor handoff failed: %s", type(exc).__name__)
        say(dispatcher, "core_doctor_contact", language)
        return [SlotSet("pending_offer", None)]
    if not offer.options:
        say(dispatcher, "portal_handoff_waiting", language)
        say(dispatcher, "core_doctor_contact", language)
        return [SlotSet("pending_offer", None)]
    say(dispatcher, "portal_handoff_slots", language, menu=offer.menu(language))
    return [SlotSet("pending_offer", PENDING)]


def book_slot(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, number: int) -> list:
    """The reply 1/2/3 to the offered times."""
    from engine.handoff.service import when

    h = handoff()
    booking = None
    if h is not None:
        try:
            booking = h.choose(_patient(h, tracker, language), number)
        except Exception as exc:  # noqa: BLE001
            log.warning("booking failed: %s", type(exc).__name__)
    if booking is None:
        say(dispatcher, "portal_slot_taken", language)
        return [SlotSet("pending_offer", None)]
    say(dispatcher, "portal_booked", language, doctor=f"Dr {booking.doctor_name}", time=when(booking.starts_at))
    return [SlotSet("pending_offer", None)]


class ActionTalkToDoctor(SaathiAction):
    action_name = "action_talk_to_doctor"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        return [*offer_doctor(dispatcher, tracker, language), SlotSet("requested_slot", None)]
