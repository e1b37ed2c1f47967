"""What every action shares: the user's language, rendering catalogue messages, the emergency net."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from config.settings import load as load_settings
from engine.i18n import (
    LANGUAGES,
    NATIVE,
    SCRIPTS,
    answer_script,
    current_script,
    latin_symptom_name,
    reply_script,
    romanised,
    t,
)
from nlu.language import detect_language
from nlu.red_flags import RULES_VERSION, detect_red_flags
from nlu.symptoms import extract_symptoms

#: A detection must be at least this confident to switch the conversation's language …
LANGUAGE_SWITCH_CONFIDENCE = 0.6
#: … and at least this confident to set it when none is remembered yet ("hello" → en).
LANGUAGE_FIRST_CONFIDENCE = 0.3


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_language(tracker: Tracker) -> tuple[str, float] | None:
    """(language, confidence) of the latest message, as Rasa's LanguageDetector parsed it (the same
    ``nlu.language.detect_language``, so the text is read once per message); computed here only for
    a message that skipped the NLU pipeline (``/intent`` payloads). None without text."""
    latest = tracker.latest_message or {}
    if latest.get("language") and latest.get("language_confidence") is not None:
        return str(latest["language"]), float(latest["language_confidence"])
    text = latest_text(tracker)
    if not text:
        return None
    guess = detect_language(text)
    return guess.language, guess.confidence


def conversation_language(tracker: Tracker) -> str:
    """The language to answer in.

    An explicit choice ("ਪੰਜਾਬੀ ਵਿੱਚ ਗੱਲ ਕਰੋ", menu 1/2/3) is kept until changed. Otherwise a
    confident detection on the latest message wins, and short or ambiguous messages ("ok", "2")
    keep the remembered language.
    """
    remembered = tracker.get_slot("language")
    if tracker.get_slot("language_locked") and remembered in LANGUAGES:
        return remembered
    guess = latest_language(tracker)
    if guess is not None:
        language, confidence = guess
        needed = LANGUAGE_SWITCH_CONFIDENCE if remembered in LANGUAGES else LANGUAGE_FIRST_CONFIDENCE
        if confidence >= needed and language in LANGUAGES:
            return language
    if remembered in LANGUAGES:
        return remembered
    return load_settings().default_language


def conversation_script(tracker: Tracker) -> str:
    """The script to answer in (``engine.i18n.NATIVE`` or ``LATIN``).

    A script chosen by command ("roman me likho", "ਗੁਰਮੁਖੀ ਵਿੱਚ ਲਿਖੋ") is kept until changed;
    otherwise each message decides (``engine.i18n.answer_script``): "mujhe bukhar hai" gets Hindi in
    Latin letters, "मुझे बुखार है" Devanagari, and "ok" or "2" the script remembered."""
    latest = tracker.latest_message or {}
    if (latest.get("metadata") or {}).get("channel") == "voice":
        return NATIVE  # a call hears the answer: text-to-speech reads Hindi and Punjabi in their own script
    remembered = tracker.get_slot("script")
    if tracker.get_slot("script_locked") and remembered in SCRIPTS:
        return remembered
    script = latest.get("script")
    guess = latest_language(tracker)
    if guess is None:
        return answer_script(None, None, 0.0, remembered)
    if script is None:  # a message that skipped the NLU pipeline
        script = detect_language(latest_text(tracker)).script
    return answer_script(script, guess[0], guess[1], remembered)


def script_events(tracker: Tracker, script: str, events: Iterable[EventType]) -> list[EventType]:
    """``SlotSet("script")`` when the turn's script is new and the action did not set it itself."""
    if tracker.get_slot("script") == script or any(
        isinstance(e, dict) and e.get("name") == "script" for e in events
    ):
        return []
    return [SlotSet("script", script)]


def say(dispatcher: CollectingDispatcher, key: str, language: str, **fields: Any) -> None:
    """Send catalogue message ``key``; ``custom`` carries the key so channels can pick a variant."""
    dispatcher.utter_message(
        text=t(key, language, **fields),
        json_message={"key": key, "language": language, "script": current_script(),
                      "fields": {k: str(v) for k, v in fields.items()}},
    )


def red_flags_of_latest(tracker: Tracker) -> list[str]:
    """Red-flag rule ids for the latest message: Rasa's parse (the RedFlagDetector), else read here.

    The parse is taken as it is, empty or not, when the same rule set (``red_flags_version``) made
    it: the detector ran ``nlu.red_flags.detect_red_flags`` on the same text. Without that result
    (a ``/intent`` payload that skipped the pipeline, a model trained without the detector, an
    older rule set) the rules run on the text here, so an emergency sign is never missed; flags a
    parse found are kept whatever made them.
    """
    latest = tracker.latest_message or {}
    flags = latest.get("red_flags")
    if flags or (isinstance(flags, list) and latest.get("red_flags_version") == RULES_VERSION):
        return list(flags)
    text = latest_text(tracker)
    return [flag.id for flag in detect_red_flags(text)] if text else []


def symptom_mentions(tracker: Tracker, text: str) -> list[tuple[str, bool]]:
    """``(code, negated)`` for each symptom mentioned in ``text``, in order.

    When ``text`` is the message Rasa parsed, its SymptomExtractor's ``symptom_mentions`` (the same
    ``nlu.symptoms.extract_symptoms``); otherwise, or when the parse lacks them (a ``/intent``
    payload, an older model), read here with that function.
    """
    parsed = (tracker.latest_message or {}).get("symptom_mentions")
    if isinstance(parsed, list) and text == latest_text(tracker):
        return [(str(m["code"]), bool(m["negated"])) for m in parsed]
    return [(m.code, m.negated) for m in extract_symptoms(text)]


class SaathiAction(Action, ABC):
    """Base class: resolves the language, remembers it, and never lets an emergency pass silently.

    Abstract (like its helpers below) so that rasa-sdk, which registers every concrete
    ``Action`` subclass it finds, registers only the real actions.
    """

    #: Actions that themselves deliver emergency advice set this to False.
    check_emergency = True

    @property
    @abstractmethod
    def action_name(self) -> str:
        """The name the domain knows the action by; subclasses set it as a class attribute."""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = conversation_language(tracker)
        script = conversation_script(tracker)
        events: list[EventType] = []
        with reply_script(script):
            flags = red_flags_of_latest(tracker) if self.check_emergency else []
            if flags:
                from actions.emergency import send_emergency_advice

                send_emergency_advice(dispatcher, language, flags)
            events.extend(self.respond(dispatcher, tracker, domain, language) or [])
        if tracker.get_slot("language") != language and not any(
            isinstance(e, dict) and e.get("name") == "language" for e in events
        ):
            events.append(SlotSet("language", language))
        return events + script_events(tracker, script, events)

    @abstractmethod
    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, language: str
    ) -> Iterable[EventType] | None: ...


class SayAction(SaathiAction):
    """An action that only says one catalogue message (greet, thank, help …), then returns the
    events of :meth:`then` (none by default).

    Subclasses set the class attributes ``action_name`` and ``message_key``, and override ``then``
    when saying it also ends something (an offer, a form question, the confusing turn).
    """

    message_key = ""

    def then(self) -> list[EventType]:
        """The events after the message: a new list per turn (Rasa SDK events are dicts)."""
        return []

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        say(dispatcher, self.message_key, language)
        return self.then()


def symptom_name(code: str, language: str) -> str:
    """The symptom's display name in ``language`` (data/symptoms.tsv), the code if unknown; in Latin
    letters ("bukhar") when the turn is answered in them."""
    if romanised(language) and (latin := latin_symptom_name(code, language)):
        return latin
    row = _symptom_rows().get(code)
    return (row.get(language) or row.get("en") or code) if row else code.replace("_", " ")


def symptom_list(codes: Iterable[str], language: str) -> str:
    separator = {"hi": ", ", "pa": ", "}.get(language, ", ")
    return separator.join(symptom_name(code, language) for code in codes)


def _symptom_rows() -> dict[str, dict[str, str]]:
    global _SYMPTOM_ROWS
    if _SYMPTOM_ROWS is None:
        from nlu.resources import DATA_DIR, read_tsv

        _SYMPTOM_ROWS = {row["code"]: row for row in read_tsv(DATA_DIR / "symptoms.tsv")}
    return _SYMPTOM_ROWS


_SYMPTOM_ROWS: dict[str, dict[str, str]] | None = None
