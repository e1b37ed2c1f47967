"""Small talk and navigation: greeting, language, help, numbered menus, fallbacks."""

from __future__ import annotations

from rasa_sdk.events import SlotSet, UserUtteranceReverted

from actions.common import SaathiAction, SayAction, latest_language, latest_text, say
from engine.i18n import NATIVE, answer_script, reply_script
from nlu.choice import parse_choice
from nlu.language import detect_language
from nlu.slots import parse_language_choice, parse_script_choice

LANGUAGE_BY_MENU_NUMBER = {1: "hi", 2: "pa", 3: "en"}


class ActionGreet(SaathiAction):
    action_name = "action_greet"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        say(dispatcher, "core_greet", language)
        say(dispatcher, "core_language_menu", language)
        return [SlotSet("pending_offer", "language")]


class ActionGoodbye(SayAction):
    action_name, message_key = "action_goodbye", "core_goodbye"

    def then(self):
        return [SlotSet("requested_slot", None), SlotSet("pending_offer", None)]


class ActionThank(SayAction):
    action_name, message_key = "action_thank", "core_thank"


class ActionOutOfScope(SayAction):
    action_name, message_key = "action_out_of_scope", "core_out_of_scope"


class ActionHelp(SaathiAction):
    action_name = "action_help"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        say(dispatcher, "core_help", language)
        # Inside the intake form a number answers the form's question, not this menu.
        if tracker.active_loop_name:
            return []
        return [SlotSet("pending_offer", "help")]


def set_language(dispatcher, language: str, script: str | None = None, script_locked: bool = False) -> list:
    """Switch and lock the language; ``script`` (when given) is the reply script from now on, kept
    against what later messages look like only when ``script_locked``."""
    events = [SlotSet("language", language), SlotSet("language_locked", True), SlotSet("pending_offer", None)]
    if script is None:
        say(dispatcher, "core_language_set", language)
        return events
    with reply_script(script):
        say(dispatcher, "core_language_set", language)
    return [*events, SlotSet("script", script), SlotSet("script_locked", script_locked)]


def chosen_script(tracker) -> tuple[str, bool]:
    """(script, locked) after a language command: the script it names ("roman me likho", "ਗੁਰਮੁਖੀ
    ਵਿੱਚ"), locked; else the command's own, unlocked: "हिंदी", "hindi" or "punjabi" alone are the
    language's own script, a sentence in Latin letters ("hindi me baat karo") Latin letters."""
    text = latest_text(tracker)
    named = parse_script_choice(text)
    if named:
        return named, True
    guess = latest_language(tracker)
    script = (tracker.latest_message or {}).get("script") or detect_language(text).script
    return answer_script(script, *(guess or (None, 0.0)), NATIVE), False


class ActionChangeLanguage(SaathiAction):
    """"ਪੰਜਾਬੀ ਵਿੱਚ ਗੱਲ ਕਰੋ" switches and locks the language, "roman me likho" the script; without
    a target, asks for one."""

    action_name = "action_change_language"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        text = latest_text(tracker)
        target = parse_language_choice(text)
        if target or parse_script_choice(text):
            return set_language(dispatcher, target or language, *chosen_script(tracker))
        say(dispatcher, "core_language_ask", language)
        return [SlotSet("pending_offer", "language")]


class ActionChoose(SaathiAction):
    """A bare number answers the last numbered menu outside the intake form."""

    action_name = "action_choose"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        number = (tracker.latest_message or {}).get("choice") or parse_choice(latest_text(tracker))
        offer = tracker.get_slot("pending_offer")
        if offer == "language" and number in LANGUAGE_BY_MENU_NUMBER:
            return set_language(dispatcher, LANGUAGE_BY_MENU_NUMBER[number])
        if offer == "doctor_slot" and number:
            from actions.doctor import book_slot

            return book_slot(dispatcher, tracker, language, number)
        if offer == "doctor" and number in (1, 2):
            if number == 1:
                from actions.doctor import offer_doctor

                return offer_doctor(dispatcher, tracker, language)
            say(dispatcher, "core_deny_ok", language)
            return [SlotSet("pending_offer", None)]
        if offer == "pharmacy":
            from actions.pharmacy import reserve_choice

            return reserve_choice(dispatcher, tracker, language, number)
        if offer == "help" and number in HELP_MENU:
            say(dispatcher, HELP_MENU[number], language)
            return [SlotSet("pending_offer", None)]
        say(dispatcher, "core_choice_unknown", language)
        return []


#: What each entry of the help menu (core_help) leads to.
HELP_MENU = {
    1: "core_ask_symptom_text",
    2: "core_medicine_prompt",
    3: "pharmacy_ask_medicines",
    4: "core_doctor_contact",
    5: "core_records_prompt",
}


class ActionAffirm(SaathiAction):
    action_name = "action_affirm"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        if tracker.get_slot("pending_offer") == "doctor":
            from actions.doctor import offer_doctor

            return offer_doctor(dispatcher, tracker, language)
        if tracker.get_slot("pending_offer") == "delete":
            from actions.health_record import delete_records

            return delete_records(dispatcher, tracker, language)
        say(dispatcher, "core_deny_ok", language)
        return [SlotSet("pending_offer", None)]


class ActionDeny(SayAction):
    action_name, message_key = "action_deny", "core_deny_ok"

    def then(self):
        return [SlotSet("pending_offer", None)]


class ActionAskAffirmation(SaathiAction):
    """Two-stage fallback, step 1: "Did you mean …?" in the user's language (overrides Rasa's)."""

    action_name = "action_default_ask_affirmation"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        candidates = [r["name"] for r in ranking if r.get("name") not in ("nlu_fallback", None)]
        if not candidates:
            say(dispatcher, "core_fallback_rephrase", language)
            return []
        say(dispatcher, "core_fallback_affirm", language, label=_label(candidates[0], language))
        return []


def _label(intent: str, language: str) -> str:
    from engine.i18n import catalogue, t

    key = f"core_label_{intent}"
    return t(key, language) if key in catalogue() else intent.replace("_", " ")


class ActionAskRephrase(SayAction):
    action_name, message_key = "action_default_ask_rephrase", "core_fallback_rephrase"


class ActionDefaultFallback(SayAction):
    """Last resort: say so honestly, point to help and a human, and undo the confusing turn."""

    action_name, message_key = "action_default_fallback", "core_fallback_default"

    def then(self):
        return [UserUtteranceReverted()]
