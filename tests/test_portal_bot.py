"""The bot's side of the handoff (actions/doctor.py) against a real portal database."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import doctor as bot_doctor
from actions.conversation import ActionChoose
from records import Actor
from tests.support import portal as testing
from tests.support.portal import TEST_SENDER_SALT, TRIAGE

pytestmark = pytest.mark.postgres
world = testing.world


def tracker(sender: str, text: str, slots: dict | None = None, channel: str = "whatsapp") -> Tracker:
    return Tracker(sender_id=sender, slots={"language": "hi", "language_locked": True, **(slots or {})},
                   latest_message={"text": text, "intent": {"name": "talk_to_doctor", "confidence": 0.9},
                                   "metadata": {"channel": channel}},
                   events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None)


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


@pytest.fixture()
def bot(world):
    bot_doctor.set_handoff(world.handoff)
    yield world
    bot_doctor.set_handoff(None)


def test_talk_to_doctor_offers_now_and_slots_then_books_with_consent(bot):
    from records.identity import sender_id

    doc, _, _ = bot.doctor("Bot Doctor", "general_physician", ("hi",))
    bot.accounts.set_on_duty(doc, True)
    bot.slot(doc, in_minutes=-2)   # running now, doctor on duty
    bot.slot(doc, in_minutes=90)
    phone = "+919822200001"
    pid = bot.patient(phone)
    sender = sender_id(phone, TEST_SENDER_SALT)
    messages, events = run(bot_doctor.ActionTalkToDoctor(),
                           tracker(sender, "डॉक्टर से बात करनी है",
                                   {"complaint_text": "तीन दिन से बुखार", "last_triage": TRIAGE}))
    assert messages[-1]["custom"]["key"] == "portal_handoff_slots"
    text = messages[-1]["text"]
    assert "1 - अभी, Bot Doctor" in text and "2 - " in text
    assert {"event": "slot", "timestamp": None, "name": "pending_offer", "value": "doctor_slot"} in events
    case = bot.handoff.open_case_of(pid)
    assert case is not None and case.priority == 1 and case.channel == "whatsapp"
    messages, _ = run(ActionChoose(), tracker(sender, "1", {"pending_offer": "doctor_slot"}))
    assert messages[-1]["custom"]["key"] == "portal_booked"
    assert "Dr Bot Doctor" in messages[-1]["text"] and "72" in messages[-1]["text"]
    grants = bot.records.who_can_see(Actor.patient(pid), pid)
    assert {g["scope"] for g in grants} == {"consultation", "documents"}
    assert all(g["grantee_id"] == str(doc) for g in grants)
    item = next(i for i in bot.handoff.queue(doc) if i.id == case.id)
    assert item.consented and item.details["text"] == "तीन दिन से बुखार"
    assert item.details["triage"]["conditions"][0]["icd10"] == "A97"


def test_no_doctor_free_queues_the_case_and_gives_public_options(bot):
    messages, events = run(bot_doctor.ActionTalkToDoctor(),
                           tracker("u-nobody-free", "doctor", {"language": "pa",  # no doctor here speaks Punjabi
                                                                "last_triage": {**TRIAGE, "specialist": "psychiatrist"}}))
    keys = [m["custom"]["key"] for m in messages]
    assert keys[-2:] == ["portal_handoff_waiting", "core_doctor_contact"]


def test_portal_unavailable_falls_back_to_public_options(monkeypatch):
    bot_doctor.set_handoff(None)
    monkeypatch.setattr(bot_doctor, "_portal_ready", lambda url: False)
    messages, _ = run(bot_doctor.ActionTalkToDoctor(), tracker("u-x", "doctor"))
    assert messages[-1]["custom"]["key"] == "core_doctor_contact"
    bot_doctor.set_handoff(None)
