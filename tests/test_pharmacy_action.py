"""The bot's pharmacy flow without Rasa: find → numbered list → reserve → cancel, in hi/pa/en."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.health_record
import actions.pharmacy
from actions.conversation import ActionChoose
from actions.pharmacy import ActionFindPharmacy, ValidatePharmacyForm
from engine.pharmacy.models import StockItem
from tests.support.pharmacy import add_shop

pytest_plugins = ["tests.pharmacy_fixtures"]
PATIENT = uuid.uuid4()


@pytest.fixture
def bot(pharmacy, monkeypatch):
    with pharmacy.sessions() as s:
        add_shop(s, "Sharma Medical", 2, [("paracetamol", "650 mg", "Dolo 650", 30, 1),
                                         ("pantoprazole", "40 mg", "Pan 40", 90, 5)])
        add_shop(s, "Gill Medicos", 5, [("paracetamol", "650 mg", "Dolo 650", 30, 5)])
        s.commit()
    monkeypatch.setattr(actions.pharmacy, "pharmacy_service", lambda: pharmacy)
    monkeypatch.setattr(actions.health_record, "patient_of", lambda tracker, language: PATIENT)
    monkeypatch.setattr(actions.pharmacy, "medicines_from_records", lambda tracker, language: [])
    return pharmacy


def turn(action, text: str, slots: dict, intent: str = "find_pharmacy", metadata: dict | None = None):
    tracker = Tracker(sender_id="unit", slots={"language": None, "language_locked": None, **slots},
                      latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9},
                                      "metadata": metadata or {}},
                      events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    slots.pop("_followup", None)
    for event in events:
        if event.get("event") == "slot":
            slots[event["name"]] = event["value"]
        elif event.get("event") == "followup":
            slots["_followup"] = event["name"]
    return [m["custom"]["key"] for m in dispatcher.messages], "\n".join(m["text"] for m in dispatcher.messages)


@pytest.mark.parametrize(("language", "ask", "reserve", "cancel", "word"), [
    ("en", "where can I get dolo 650 and pan 40 in dhuri", "reserve at 1", "cancel my reservation", "Reserved"),
    ("hi", "मुझे धूरी में dolo 650 और pan 40 कहाँ मिलेगी", "1", "मेरा रिज़र्वेशन रद्द करो", "रिज़र्व"),
    ("pa", "ਧੂਰੀ ਵਿੱਚ dolo 650 ਅਤੇ pan 40 ਕਿੱਥੋਂ ਮਿਲੇਗੀ", "ਰਿਜ਼ਰਵ 1", "ਮੇਰੀ ਰਿਜ਼ਰਵੇਸ਼ਨ ਰੱਦ ਕਰੋ", "ਰਿਜ਼ਰਵ"),
])
def test_find_reserve_cancel_in_every_language(bot, language, ask, reserve, cancel, word):
    slots: dict = {"language": language, "language_locked": True}
    keys, text = turn(ActionFindPharmacy(), ask, slots)
    assert keys[0] == "pharmacy_results" and "1. Sharma Medical" in text and "2. Gill Medicos" in text
    assert slots["pending_offer"] == "pharmacy" and len(slots["offered_slots"]) == 2
    action = ActionChoose() if reserve.isdigit() else ActionFindPharmacy()
    keys, text = turn(action, reserve, slots, intent="choose" if reserve.isdigit() else "find_pharmacy")
    assert keys == ["pharmacy_status_reserved"] and word in text
    [view] = bot.open_for_patient(PATIENT)
    assert view.code in text and view.pharmacy_name == "Sharma Medical"
    assert slots["pending_offer"] is None
    keys, _ = turn(ActionFindPharmacy(), cancel, slots)
    assert keys == ["pharmacy_status_cancelled"] and bot.open_for_patient(PATIENT) == []
    with bot.sessions() as s:  # the cancelled hold is back on the shelf
        assert s.query(StockItem).filter_by(brand="Dolo 650").order_by(StockItem.id).first().quantity == 1


def validate(slot: str, text: str, slots: dict, metadata: dict | None = None) -> tuple[dict, list[str]]:
    tracker = Tracker(sender_id="unit", slots={"language": "en", "language_locked": True, **slots},
                      latest_message={"text": text, "intent": {"name": "inform", "confidence": 0.9},
                                      "metadata": metadata or {}},
                      events=[], paused=False, followup_action=None, active_loop={"name": "pharmacy_form"},
                      latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    result = getattr(ValidatePharmacyForm(), f"validate_{slot}")(text, dispatcher, tracker, {})
    return result, [m["custom"]["key"] for m in dispatcher.messages]


def test_what_is_missing_opens_the_form_and_a_shared_location_is_kept(bot):
    slots: dict = {"language": "en", "language_locked": True}
    assert turn(ActionFindPharmacy(), "where is a pharmacy", slots)[0] == []
    assert slots["_followup"] == "pharmacy_form" and slots["pharmacy_medicines"] is None
    assert turn(ActionFindPharmacy(), "I need dolo 650", slots)[0] == []
    assert slots["_followup"] == "pharmacy_form" and slots["pharmacy_medicines"] == "Dolo 650"
    keys, text = turn(ActionFindPharmacy(), "/find_pharmacy", slots,
                      metadata={"latitude": 30.3686, "longitude": 75.8675})
    assert keys[0] == "pharmacy_results" and "has all 1" in text and "Near your location" in text
    assert slots["pharmacy_place"]["source"] == "shared" and slots["pharmacy_medicines"] is None
    # the next search near the same place needs only the medicine
    keys, text = turn(ActionFindPharmacy(), "pan 40 chahiye", slots)
    assert keys[0] == "pharmacy_results" and "Sharma Medical" in text


def test_the_form_reads_answers_and_gives_up_after_two(bot):
    result, keys = validate("pharmacy_place", "Dhuri", {"pharmacy_tries": 0.0})
    assert result["pharmacy_place"]["label"] and result["pharmacy_tries"] == 0.0 and keys == []
    result, keys = validate("pharmacy_place", "148024", {})
    assert result["pharmacy_place"]["source"] == "pin"
    result, keys = validate("pharmacy_place", "/find_pharmacy", {}, {"latitude": 30.37, "longitude": 75.87})
    assert result["pharmacy_place"]["source"] == "shared"
    result, keys = validate("pharmacy_medicines", "dolo 650 aur pan 40", {})
    assert result["pharmacy_medicines"] == "Dolo 650, Pan 40"
    result, keys = validate("pharmacy_place", "mere ghar ke paas", {"pharmacy_tries": 0.0})
    assert result == {"pharmacy_place": None, "pharmacy_tries": 1.0} and keys == ["pharmacy_place_unknown"]
    result, keys = validate("pharmacy_medicines", "woh wali dawai", {"pharmacy_tries": 1.0})
    assert result == {"pharmacy_medicines": None, "pharmacy_tries": 2.0} and keys == []  # giving up: no hint
    # the form then ends and the search action says so instead of asking again
    slots: dict = {"language": "en", "language_locked": True, "pharmacy_tries": 2.0}
    tracker_keys, _ = turn_after_form(slots)
    assert tracker_keys == ["pharmacy_search_stopped"] and "_followup" not in slots


@pytest.mark.parametrize("text", ["bye", "ok bye, thanks", "cancel", "bas ji", "रहने दो", "ਰਹਿਣ ਦਿਓ", "ਬੱਸ ਜੀ ਧੰਨਵਾਦ"])
def test_a_stop_word_ends_the_search_at_once_and_cancels_nothing(bot, text):
    """The form takes goodbye-read text as its answer (bot/domain.yml); only a whole-message stop word
    leaves it, with the polite stop and no hint, and "cancel" there is not a reservation command."""
    result, keys = validate("pharmacy_place", text, {"pharmacy_tries": 0.0})
    assert result == {"pharmacy_place": None, "pharmacy_tries": 2.0} and keys == []
    slots: dict = {"language": "en", "language_locked": True, "pharmacy_tries": 2.0}
    assert turn_after_form(slots, text)[0] == ["pharmacy_search_stopped"] and "_followup" not in slots


@pytest.mark.parametrize("text", ["the big one", "the big temple", "bus stop ke paas", "stop near the big temple",
                                  "where can I buy pan 40", "no"])
def test_answers_read_as_goodbye_are_answers(bot, text):
    """'the big one' / 'the big temple' were read as goodbye and ended the form (session 14's retrain)."""
    from actions.forms import says_stop

    assert not says_stop(text)
    result, keys = validate("pharmacy_place", text, {"pharmacy_tries": 0.0})
    assert result == {"pharmacy_place": None, "pharmacy_tries": 1.0} and keys == ["pharmacy_place_unknown"]


def turn_after_form(slots: dict, text: str = "woh wali dawai") -> tuple[list[str], str]:
    tracker = Tracker(sender_id="unit", slots=slots, latest_message={"text": text, "intent": {}},
                      events=[], paused=False, followup_action=None, active_loop={},
                      latest_action_name="pharmacy_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFindPharmacy().run(dispatcher, tracker, {}))
    for event in events:
        if event.get("event") == "followup":
            slots["_followup"] = event["name"]
    return [m["custom"]["key"] for m in dispatcher.messages], ""


def test_the_last_unit_goes_to_one_patient_only(bot):
    first: dict = {"language": "en", "language_locked": True}
    second: dict = {"language": "en", "language_locked": True}
    turn(ActionFindPharmacy(), "dolo 650 and pan 40 in dhuri", first)
    turn(ActionFindPharmacy(), "dolo 650 and pan 40 in dhuri", second)
    assert turn(ActionChoose(), "1", first, intent="choose")[0] == ["pharmacy_status_reserved"]
    assert turn(ActionChoose(), "1", second, intent="choose")[0] == ["pharmacy_out_of_stock"]
    assert turn(ActionChoose(), "7", first | {"pending_offer": "pharmacy", "offered_slots": [{}]},
                intent="choose")[0] == ["pharmacy_choice_invalid"]


def test_medicines_of_a_recent_prescription_photo_come_with_the_gateways_metadata(bot):
    """The gateway read the photo (the bot never sees it) and sends its medicines along for 30 min."""
    slots: dict = {"language": "hi", "language_locked": True}
    photo = {"photo_medicines": [{"name": "Dolo 650", "generic": "paracetamol", "strength": "650 mg",
                                  "form": "tablet"}, {"name": "Pan 40", "generic": "pantoprazole",
                                                      "strength": "40 mg", "form": "tablet"}, "junk"]}
    keys, text = turn(ActionFindPharmacy(), "ये दवाइयाँ धूरी में कहाँ मिलेंगी", slots, metadata=photo)
    assert keys[0] == "pharmacy_results" and "1. Sharma Medical" in text
    # asked inside the form too: "these" is answered by the photo
    result, _ = validate("pharmacy_medicines", "yahi wali", {}, photo)
    assert result["pharmacy_medicines"] == "Dolo 650, Pan 40"


def test_a_place_or_medicine_is_the_answer_whatever_intent_nlu_guessed(bot):
    """"ਧੂਰੀ" alone was read as `help` by NLU: the form must still take it; an emergency never."""
    def run(text: str, requested: str, intent: str) -> list[dict]:
        tracker = Tracker(sender_id="unit", slots={"language": "pa", "language_locked": True,
                                                   "requested_slot": requested, "pharmacy_tries": 0.0},
                          latest_message={"text": text, "intent": {"name": intent, "confidence": 0.6}},
                          events=[{"event": "user", "text": text}, {"event": "action", "name": "pharmacy_form"}],
                          paused=False, followup_action=None, active_loop={"name": "pharmacy_form"},
                          latest_action_name="pharmacy_form")
        domain = {"forms": {"pharmacy_form": {"required_slots": ["pharmacy_medicines", "pharmacy_place"]}},
                  "slots": {}}
        return asyncio.run(ValidatePharmacyForm().run(CollectingDispatcher(), tracker, domain))

    place = {e["name"]: e["value"] for e in run("ਧੂਰੀ", "pharmacy_place", "help") if e.get("event") == "slot"}
    assert place["pharmacy_place"]["label"] == "Dhuri"
    meds = {e["name"]: e["value"] for e in run("ਡੋਲੋ 650", "pharmacy_medicines", "greet") if e.get("event") == "slot"}
    assert meds["pharmacy_medicines"] == "Dolo 650"
    assert not [e for e in run("what can you do", "pharmacy_place", "help") if e.get("name") == "pharmacy_place"]
    assert not [e for e in run("ਧੂਰੀ ਵਿੱਚ ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", "pharmacy_place", "emergency")
                if e.get("name") == "pharmacy_place"]
