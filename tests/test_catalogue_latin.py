"""Hindi and Punjabi in Latin letters (issue #19 item 3): the catalogue has them for every sentence a
patient can get, with the native sentence's fields and short forms, and a reply comes in the script
the person writes ("mujhe bukhar hai" → Latin letters, "मुझे बुखार है" → Devanagari)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import string
import uuid

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from channels.rasa import BotMessage
from channels.types.sms.render import MAX_SEGMENTS, render_sms, segments, short_form
from engine.i18n import (
    LATIN,
    MESSAGES_DIR,
    NATIVE,
    ROMANISED,
    answer_script,
    catalogue,
    latin_catalogue,
    locale,
    reply_script,
    t,
    variants,
)
from engine.notify import Recipient, migrate
from tests.support.notify import serving, stand_in_service

#: Keys that stay out of the Latin-letter catalogue, each with the reason.
#: The doctors' portal pages speak the browser's language (portal.security.page_language: the
#: Accept-Language of a staff member's browser), never a patient's, and the handoff gloss is the
#: doctor's summary of the patient's words; the patient-facing part of portal.yml (the handoff
#: messages, reminders, the prescription) is not exempt.
PORTAL_STAFF = "portal staff pages and doctor-facing summaries: browser language, not a patient's"


SPOKEN = "spoken on calls only: text-to-speech reads Hindi and Punjabi in their own script"
CARD = "drawn on the pictorial symptom card, one image per language (channels/symptom_menu.py)"
SIMULATOR = "labels of the simulator's page, which has one language per page, not per message"


def _exempt() -> dict[str, str]:
    staff = yaml.safe_load((MESSAGES_DIR / "portal.yml").read_text(encoding="utf-8"))
    patient_facing = set(list(staff)[: list(staff).index("portal_reset_code")])
    exempt = {key: PORTAL_STAFF for key in staff if key not in patient_facing}
    for key in catalogue():
        if key.startswith("channels_ivr_"):
            exempt[key] = SPOKEN
        elif key.startswith("channels_sim_"):
            exempt[key] = SIMULATOR
        elif key.startswith("channels_symptom_card_"):
            exempt[key] = CARD
    return exempt


EXEMPT = _exempt()
NEEDED = sorted(key for key in catalogue() if key not in EXEMPT)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def native_sms(key: str) -> dict[str, str] | None:
    entry = catalogue()[key]
    return entry["sms"] if isinstance(entry.get("sms"), dict) else variants("sms").get(key)


def test_exemptions_are_few_and_named():
    assert all(EXEMPT.values())
    assert not set(EXEMPT) & set(latin_catalogue()), "an exempt key has Latin text: take it off the exempt list"
    assert "portal_handoff_slots" not in EXEMPT and "portal_rx_take" not in EXEMPT


def test_no_latin_entry_without_a_native_one():
    assert not set(latin_catalogue()) - set(catalogue())


@pytest.mark.parametrize("key", NEEDED)
def test_every_patient_sentence_has_hindi_and_punjabi_in_latin_letters(key):
    latin = latin_catalogue().get(key)
    assert latin, f"{key} has no Latin-letter entry (data/messages/latn/)"
    native = catalogue()[key]
    for language in ROMANISED:
        assert isinstance(latin.get(language), str) and latin[language].strip(), f"{key} lacks {language}-Latn"
        assert fields(latin[language]) == fields(native[language]), f"{key}: {language}-Latn fields differ"
    short = native_sms(key)
    if short:
        block = latin.get("sms")
        assert isinstance(block, dict), f"{key} has an SMS short form natively but not in Latin letters"
        for language in ROMANISED:
            assert fields(block[language]) == fields(short[language]), f"{key}: sms {language}-Latn fields differ"


#: Letters with diacritics (ā, ṭ, ñ …) are a scholarly transliteration nobody types on a phone.
_DIACRITIC = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
_INDIC = re.compile(r"[\u0900-\u097f\u0a00-\u0a7f]")
#: Menus that name each language in its own script, so a reader of either finds theirs.
NAMES_IN_OWN_SCRIPT = {"core_language_menu", "core_language_ask"}


def _latin_texts():
    for key, entry in latin_catalogue().items():
        for language in ROMANISED:
            yield key, language, entry[language]
            if isinstance(entry.get("sms"), dict):
                yield key, language, entry["sms"][language]


def test_latin_text_is_plain_latin_letters():
    for key, language, text in _latin_texts():
        assert not _DIACRITIC.search(text), f"{key} {language}-Latn has diacritics: {text}"
        if key not in NAMES_IN_OWN_SCRIPT:
            assert not _INDIC.search(re.sub(r"\{[^}]*\}", "", text)), f"{key} {language}-Latn has Indic letters"


def test_written_the_way_phones_write_it():
    """Spot checks of the spelling people use ("bukhar", "dawai", "kitne din se", "tuhanu")."""
    hi = " ".join(text for _, language, text in _latin_texts() if language == "hi").lower()
    pa = " ".join(text for _, language, text in _latin_texts() if language == "pa").lower()
    for word in ("bukhar", "dawai", "aap", "kijiye", "doctor", "hospital", "abhi"):
        assert re.search(rf"\b{word}", hi), word
    for word in ("bukhaar", "dawai", "tuhanu", "tusi", "hune", "karo", "ton"):
        assert re.search(rf"\b{word}", pa), word


#: Realistic Latin-letter values for the fields (long-ish on purpose), as in tests/test_channels_sms.py.
LATIN_FIELDS = {
    "symptoms": "bukhar, sir dard, badan dard", "symptom": "thand lagkar kapkapi", "label": "aapke lakshan ki jaanch",
    "specialist": "general doctor (family doctor)", "name": "Dengue bukhar", "why": "bukhar aur badan dard",
    "advice": "Khoob paani piyein, aaram karein.", "signs": "masoodon se khoon, behoshi",
    "text": "mujhe do din se bukhar hai", "days": "90", "limit": "5", "number": "108",
    "menu": "1 bukhar\n2 khansi\n3 sir dard", "a": "Atorvastatin", "b": "Clarithromycin", "medicine": "Montelukast",
    "provider": "aws-kms", "doctor": "Dr. Harpreet Kaur", "drug": "Paracetamol",
}
SMS_CASES = [(key, language) for key in sorted(latin_catalogue()) for language in ROMANISED]


@pytest.mark.parametrize(("key", "language"), SMS_CASES, ids=[f"{k}-{lang}-Latn" for k, lang in SMS_CASES])
def test_every_latin_sentence_fits_two_sms_segments(key, language):
    values = {name: LATIN_FIELDS.get(name, "value") for name in fields(catalogue()[key]["en"])}
    message = BotMessage(text=t(key, language, script=LATIN, **values), key=key, language=language,
                         fields=values, script=LATIN)
    text = short_form(message)
    assert text and not _INDIC.search(text.replace("हिंदी", "").replace("ਪੰਜਾਬੀ", "")), key
    assert segments(text) <= MAX_SEGMENTS, f"{key}/{language}-Latn: {segments(text)} segments: {text}"
    assert render_sms([message]) == text


def test_the_turns_script_reaches_every_sentence():
    assert t("core_emergency", "hi", script=LATIN).startswith("⚠️ Yeh EMERGENCY")
    assert t("core_emergency", "hi") == catalogue()["core_emergency"]["hi"]
    with reply_script(LATIN):
        assert "108" in t("core_emergency", "pa") and not _INDIC.search(t("core_emergency", "pa"))
        assert t("core_emergency", "en") == catalogue()["core_emergency"]["en"]  # English is Latin already
        assert t("core_emergency", "hi", script=NATIVE) == catalogue()["core_emergency"]["hi"]
        assert locale("pa") == "pa-Latn" and locale("en") == "en"
    assert t("core_emergency", "hi") == catalogue()["core_emergency"]["hi"]  # the scope ended
    assert "EMERGENCY" in t("core_emergency", "pa", variant="sms", script=LATIN)


@pytest.mark.parametrize(("script", "language", "confidence", "remembered", "expected"), [
    ("Latn", "hi", 0.79, None, LATIN),          # "mujhe bukhar hai"
    ("Latn", "pa", 0.86, NATIVE, LATIN),        # "mainu bukhaar aa": changes a remembered script
    ("Deva", "hi", 0.99, LATIN, NATIVE),        # "मुझे बुखार है"
    ("Guru", "pa", 0.99, LATIN, NATIVE),
    ("Latn", "en", 0.2, LATIN, LATIN),          # "ok", "2": the script stays
    ("Latn", "hi", 0.17, NATIVE, NATIVE),       # "haan" is not enough to change it
    ("Latn", "en", 1.0, None, NATIVE),          # English: nothing to romanise
])
def test_answer_script(script, language, confidence, remembered, expected):
    assert answer_script(script, language, confidence, remembered) == expected


def tracker(text: str, slots: dict | None = None, intent: str = "report_symptom") -> Tracker:
    return Tracker(
        sender_id="unit", slots={"language": None, "language_locked": None, "script": None, "script_locked": None,
                                 **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )


def run(action, text: str, slots: dict | None = None, intent: str = "report_symptom"):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(text, slots, intent), {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(("text", "language", "script"), [
    ("saanp ne kaat liya", "hi", LATIN), ("ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", "pa", NATIVE), ("sapp ne dang leya mainu", "pa", LATIN),
    ("साँप ने काट लिया", "hi", NATIVE),
])
def test_emergency_advice_comes_in_the_script_it_was_asked_in(text, language, script):
    from actions.emergency import ActionEmergency

    messages, slots = run(ActionEmergency(), text, intent="emergency")
    first = messages[0]
    assert first["custom"]["key"] == "core_emergency" and first["custom"]["script"] == script
    assert first["text"] == t("core_emergency", language, script=script)
    assert "108" in first["text"] and slots["script"] == script
    assert bool(_INDIC.search(first["text"])) == (script == NATIVE)


def test_a_short_answer_keeps_the_script_and_a_native_message_changes_it():
    from actions.conversation import ActionThank

    messages, slots = run(ActionThank(), "ok", {"language": "hi", "script": LATIN})
    assert messages[0]["text"] == latin_catalogue()["core_thank"]["hi"] and "script" not in slots
    messages, slots = run(ActionThank(), "धन्यवाद", {"language": "hi", "script": LATIN})
    assert messages[0]["text"] == catalogue()["core_thank"]["hi"] and slots["script"] == NATIVE


@pytest.mark.parametrize(("text", "language", "script", "locked"), [
    ("roman me likho", "hi", LATIN, True),
    ("english letters", "hi", LATIN, True),
    ("ਰੋਮਨ ਵਿੱਚ ਲਿਖੋ", "pa", LATIN, True),
    ("punglish", "pa", LATIN, True),
    ("हिंदी लिपि में लिखो", "hi", NATIVE, True),
    ("gurmukhi vich likho", "pa", NATIVE, True),
    ("हिंदी", "hi", NATIVE, False),
    ("hindi", "hi", NATIVE, False),
    ("punjabi vich gall karo ji", "pa", LATIN, False),
])
def test_a_command_switches_the_script(text, language, script, locked):
    from actions.conversation import ActionChangeLanguage

    remembered = {"language": "hi", "script": NATIVE if script == LATIN else LATIN}
    messages, slots = run(ActionChangeLanguage(), text, remembered, intent="change_language")
    assert slots["script"] == script and slots["script_locked"] is locked and slots["language"] == language
    assert messages[-1]["text"] == t("core_language_set", language, script=script)


def test_a_locked_script_is_kept_whatever_is_typed():
    from actions.conversation import ActionThank

    messages, _ = run(ActionThank(), "धन्यवाद", {"language": "hi", "script": LATIN, "script_locked": True})
    assert messages[0]["text"] == latin_catalogue()["core_thank"]["hi"]


def test_a_reminder_sent_later_comes_in_the_script_the_person_last_wrote_in(tmp_path):
    """Out of turn (engine.notify): the gateway remembers the script per sender (``script:<sender>``)."""
    url = f"sqlite:///{tmp_path / 'notify.db'}"
    migrate(url)
    now = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.timezone.utc)  # 11:30 IST, outside quiet hours
    hindi, punjabi, native = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    people = {hindi: Recipient("+919812300001", "hi", "u-hi"), punjabi: Recipient("+919812300002", "pa", "u-pa"),
              native: Recipient("+919812300003", "hi", "u-native")}
    svc = stand_in_service(url, people, clock=lambda: now)
    svc.state.values.update({"script:u-hi": LATIN, "script:u-pa": LATIN, "script:u-native": NATIVE,
                             "inbound:u-pa": {"channel": "whatsapp", "at": now.timestamp() - 3600}})
    with serving(svc):  # the scheduled job (engine.notify.jobs.dispatch) finds the service here
        for user in (hindi, punjabi, native):
            svc.schedule(user, "asha_notify_medicine", {"time": "11:30"}, now, dedupe=f"m-{user}", kind="medicine")
        assert svc.scheduler.run_due(now) == 3
    bodies = {item["to"]: item["body"] for item in svc.transport.sent}
    assert bodies["+919812300001"] == t("asha_notify_medicine", "hi", "sms", script=LATIN, time="11:30")
    assert bodies["whatsapp:+919812300002"] == t("asha_notify_medicine", "pa", script=LATIN, time="11:30")
    assert bodies["+919812300003"] == catalogue()["asha_notify_medicine"]["hi"].format(time="11:30")
    assert not _INDIC.search(bodies["+919812300001"]) and "dawai" in bodies["+919812300001"]


@pytest.mark.parametrize("language", ROMANISED)
def test_knowledge_base_text_for_a_latin_reader_is_english_never_devanagari_or_gurmukhi(language):
    """The condition knowledge base (names, self-care, warning signs: data/conditions/) exists in hi,
    pa and en only, and a machine transliteration of medical advice is not what people write
    (issue #19 item 3). The explicit fallback (engine.i18n.content_language): a reader of Latin
    letters gets the catalogue's sentences in Hinglish/Punglish and the knowledge base's own words in
    English, never in a script they may not read; the urgency and 108 stay in their own words."""
    from engine.i18n import content_language
    from engine.triage.explain import advice
    from engine.triage.kb import default_kb

    heart_attack, angina = default_kb().by_id("heart_attack"), default_kb().by_id("angina")
    assert content_language(language, LATIN) == "en" and content_language(language, NATIVE) == language
    with reply_script(LATIN):
        text = advice("urgent", "cardiologist", angina, language, watch=[heart_attack])
    assert not _INDIC.search(text), text
    assert angina.name("en") in text and angina.self_care["en"] in text and heart_attack.warning_signs["en"] in text
    assert text.startswith(t("triage_advice_urgent", language, script=LATIN))
    assert "108" in text and t("triage_disclaimer", language, script=LATIN) in text
    with reply_script(LATIN):
        emergency = advice("emergency", "emergency", heart_attack, language)
    assert emergency.startswith(t("triage_advice_emergency", language, script=LATIN)) and "108" in emergency


#: Numbers a reader must be able to call: ambulance 108, emergency 112, health helpline 104, Tele-MANAS.
_HELPLINES = re.compile(r"(?<!\d)(108|112|104|14416)(?!\d)")


@pytest.mark.parametrize("language", ROMANISED)
def test_latin_text_keeps_every_emergency_and_helpline_number_of_the_native_sentence(language):
    """A romanised sentence says the same urgency: the same 108/112/104/14416 as the native one,
    in the full text and in the SMS short form."""
    for key, latin in latin_catalogue().items():
        native = catalogue()[key]
        assert set(_HELPLINES.findall(latin[language])) == set(_HELPLINES.findall(native[language])), key
        short = native_sms(key)
        if short and isinstance(latin.get("sms"), dict):
            assert set(_HELPLINES.findall(latin["sms"][language])) == set(_HELPLINES.findall(short[language])), key


@pytest.mark.parametrize(("key", "parser", "expected"), [
    ("core_ask_patient", "parse_patient", ["self", "child", "other"]),
    ("core_ask_sex", "parse_sex", ["m", "f"]),
    ("core_ask_severity", "parse_severity", ["mild", "moderate", "severe"]),
    ("core_ask_pregnant", "parse_yes_no", [True, False]),
    ("core_ask_records_consent", "parse_yes_no", [True, False]),
])
def test_a_word_a_latin_menu_offers_is_read_back_as_that_choice(key, parser, expected):
    """Someone who answers "mard" or "madhyam" instead of the number is understood (a live Punjabi
    conversation answering 'banda', then offered on this menu, was asked the question again forever)."""
    import nlu.slots

    parse = getattr(nlu.slots, parser)
    for language in ROMANISED:
        options = re.findall(r"(\d) ([^·]+?)(?= ·|$)", latin_catalogue()[key][language])
        assert [parse(word.strip()) for _, word in options] == expected, (key, language, options)
