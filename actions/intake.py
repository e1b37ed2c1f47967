"""The symptom intake: a Rasa form whose questions are chosen per patient.

Who is ill, age, sex, pregnancy (only for women of child-bearing age), since when and how bad,
then 0–``MAX_FOLLOWUPS`` follow-up questions picked by the triage engine for the most information
about the differential. Every answer is parsed by ``nlu.slots`` (any language, any script, or the
menu number); extra symptoms mentioned in any answer are added to the picture.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import (
    SaathiAction,
    conversation_language,
    latest_text,
    red_flags_of_latest,
    say,
    symptom_list,
    symptom_name,
)
from nlu.choice import parse_choice
from nlu.slots import (
    parse_age,
    parse_duration_days,
    parse_patient,
    parse_severity,
    parse_sex,
    parse_yes_no,
)
from nlu.symptoms import extract_symptoms

MAX_FOLLOWUPS = 4
FORM_SLOTS = ("symptom_text", "patient", "age", "sex", "pregnant", "duration_days", "severity", "followup")
PATIENT_BY_NUMBER = {1: "self", 2: "child", 3: "other"}
SEX_BY_NUMBER = {1: "m", 2: "f"}
SEVERITY_BY_NUMBER = {1: "mild", 2: "moderate", 3: "severe"}


def merge_symptoms(tracker: Tracker, text: str) -> tuple[list[str], list[str]]:
    """The tracker's symptom lists with whatever ``text`` adds (a later 'no' overrides a 'yes')."""
    present = list(tracker.get_slot("symptoms") or [])
    negated = list(tracker.get_slot("negated_symptoms") or [])
    for mention in extract_symptoms(text):
        if mention.negated:
            if mention.code in present:
                present.remove(mention.code)
            if mention.code not in negated:
                negated.append(mention.code)
        elif mention.code not in present:
            present.append(mention.code)
            if mention.code in negated:
                negated.remove(mention.code)
    return present, negated


def as_number(value: Any) -> float | None:
    """A validated numeric slot, or None: while a form turn is validated, the tracker still holds
    the raw answer text ("35 साल") in the slot."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def needs_pregnancy_question(sex: str | None, age: Any) -> bool:
    age = as_number(age)
    return sex == "f" and age is not None and 12 <= age <= 50


def prefill_from(text: str) -> dict[str, Any]:
    """Answers already given in the first message ("mera 5 saal ka beta, 3 din se bukhar")."""
    found: dict[str, Any] = {}
    if (days := parse_duration_days(text)) is not None:
        found["duration_days"] = days
    if (patient := parse_patient(text)) is not None:
        found["patient"] = patient
    # "3 din se bukhar" is a duration, not the age of a 3-day-old: a sub-year age only counts
    # when the message gave no duration.
    if (age := parse_age(text)) is not None and (age >= 1 or "duration_days" not in found):
        found["age"] = age
    if (sex := parse_sex(text)) is not None:
        found["sex"] = sex
    if (severity := parse_severity(text)) is not None:
        found["severity"] = severity
    return found


class ActionStartIntake(SaathiAction):
    """Resets the form for a new complaint and keeps what the first message already said."""

    def name(self) -> str:
        return "action_start_intake"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        text = latest_text(tracker)
        present, negated = merge_symptoms(_blank(tracker), text)
        events = [SlotSet(slot, None) for slot in FORM_SLOTS]
        events += [
            SlotSet("symptoms", present),
            SlotSet("negated_symptoms", negated),
            SlotSet("asked_symptoms", []),
            SlotSet("complaint_text", text),
            SlotSet("pending_offer", None),
            SlotSet("last_triage", None),
        ]
        events += [SlotSet(slot, value) for slot, value in prefill_from(text).items()]
        say(dispatcher, "core_intake_start", language)
        if present:
            say(dispatcher, "core_intake_noted", language, symptoms=symptom_list(present, language))
        return events


def _blank(tracker: Tracker) -> Tracker:
    """A tracker view with empty symptom lists, so a new complaint starts fresh."""

    class _Blank:
        def get_slot(self, name: str) -> Any:
            return [] if name in ("symptoms", "negated_symptoms") else tracker.get_slot(name)

    return _Blank()  # type: ignore[return-value]


def right_after_user(tracker: Tracker) -> bool:
    """Whether this form run answers the user's latest message (not a return after an interruption).

    Rasa validates on a temporary tracker that ends with the form's own ``action`` event, so
    ``latest_action_name`` is always the form; what tells the two apart is whether any other action
    ran between the user's message and this run.
    """
    seen_form = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            if seen_form or event.get("name") != tracker.active_loop.get("name", "symptom_form"):
                return False
            seen_form = True
    return False


class ValidateSymptomForm(FormValidationAction):
    """Parses each answer; re-asks (with a hint) when it cannot; decides which questions remain,
    and asks the next one itself.

    Asking here, not in an ``action_ask_<slot>`` action, saves Rasa one action-server round trip
    per form turn (the domain has no ask actions for this form, so Rasa's form asks nothing).
    One case is left to Rasa untouched: straight after the user spoke, with a question pending
    and nothing extracted from the answer (an emergency, "help", "bye" …), Rasa must reject the
    form so the rules for those intents run — adding a question or slot events would prevent that.
    """

    def name(self) -> str:
        return "validate_symptom_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        pending = tracker.get_slot(REQUESTED_SLOT)
        after_user = right_after_user(tracker)
        extracted = bool(tracker.slots_to_validate())  # Rasa appends the answer's slot candidates
        events = await super().run(dispatcher, tracker, domain)  # also applies them to ``tracker``
        answered = any(e.get("event") == "slot" and e.get("name") != REQUESTED_SLOT for e in events)
        if pending and after_user and not extracted and not answered:
            return events  # Rasa's own rule: it rejects the form, and the interrupting intent's rule answers
        requested = next((e["value"] for e in reversed(events)
                          if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT), MISSING)
        if requested is MISSING:  # required slots in the domain's order: rasa-sdk left the choice to Rasa
            required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
            requested = next((slot for slot in required if tracker.get_slot(slot) is None), None)
            events.append(SlotSet(REQUESTED_SLOT, requested))
        language = conversation_language(tracker)
        flags = red_flags_of_latest(tracker) if after_user else []
        if flags:  # the safety net every SaathiAction has (NLU normally turned these into `emergency`)
            from actions.emergency import send_emergency_advice

            send_emergency_advice(dispatcher, language, flags)
        if requested:
            events += ask_question(dispatcher, tracker, requested, language)
        if tracker.get_slot("language") != language:
            events.append(SlotSet("language", language))
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots: list[str] = []
        if not tracker.get_slot("symptoms"):
            slots.append("symptom_text")
        slots += ["patient", "age", "sex"]
        if needs_pregnancy_question(tracker.get_slot("sex"), tracker.get_slot("age")):
            slots.append("pregnant")
        slots += ["duration_days", "severity"]
        # the follow-up slot stays while an answer to the last question waits for validation,
        # or that answer (the 4th, say) would never be read
        awaiting = tracker.get_slot(REQUESTED_SLOT) == "followup" and tracker.get_slot("followup") is not None
        if tracker.get_slot("symptoms") and (awaiting or next_followup(tracker) is not None):
            slots.append("followup")
        if tracker.get_slot("records_consent") is None:
            slots.append("records_consent")
        return slots

    # Each validate_<slot> returns the parsed value, or None (the form then asks again).

    def _answer(
        self, dispatcher, tracker, slot: str, value: Any, reprompt: str, understood: bool | None = None
    ) -> dict[str, Any]:
        """The slot's value plus any symptoms the answer mentions; re-prompts if not understood."""
        present, negated = merge_symptoms(tracker, latest_text(tracker))
        result: dict[str, Any] = {slot: value, "symptoms": present, "negated_symptoms": negated}
        if not (value is not None if understood is None else understood):
            say(dispatcher, reprompt, conversation_language(tracker))
        return result

    def validate_symptom_text(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        present, _ = merge_symptoms(tracker, str(slot_value))
        value = str(slot_value) if present else None
        result = self._answer(dispatcher, tracker, "symptom_text", value, "core_reprompt_symptom_text")
        if value:
            result["complaint_text"] = " ".join(filter(None, [tracker.get_slot("complaint_text"), value]))
        return result

    def validate_patient(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        text = str(slot_value)
        value = PATIENT_BY_NUMBER.get(parse_choice(text)) or parse_patient(text)
        result = self._answer(dispatcher, tracker, "patient", value, "core_reprompt_choice")
        if (age := parse_age(text)) is not None and not tracker.get_slot("age"):
            result["age"] = age
        return result

    def validate_age(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        text = str(slot_value)
        number = parse_choice(text)
        value = parse_age(text) if number is None else float(number)
        if value is not None and not 0 <= value <= 120:
            value = None
        return self._answer(dispatcher, tracker, "age", value, "core_reprompt_age")

    def validate_sex(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        text = str(slot_value)
        value = SEX_BY_NUMBER.get(parse_choice(text)) or parse_sex(text)
        return self._answer(dispatcher, tracker, "sex", value, "core_reprompt_choice")

    def validate_pregnant(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        answer = yes_no(str(slot_value))
        value = None if answer is None else ("yes" if answer else "no")
        return self._answer(dispatcher, tracker, "pregnant", value, "core_reprompt_choice")

    def validate_records_consent(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        answer = yes_no(str(slot_value))
        value = None if answer is None else ("yes" if answer else "no")
        return self._answer(dispatcher, tracker, "records_consent", value, "core_reprompt_choice")

    def validate_duration_days(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        value = parse_duration_days(str(slot_value))
        return self._answer(dispatcher, tracker, "duration_days", value, "core_reprompt_duration")

    def validate_severity(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        text = str(slot_value)
        value = SEVERITY_BY_NUMBER.get(parse_choice(text)) or parse_severity(text)
        return self._answer(dispatcher, tracker, "severity", value, "core_reprompt_choice")

    def validate_followup(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        """Records the yes/no for the symptom just asked, then clears the slot for the next one."""
        asked = list(tracker.get_slot("asked_symptoms") or [])
        answer = yes_no(str(slot_value))
        understood = answer is not None and bool(asked)
        result = self._answer(dispatcher, tracker, "followup", None, "core_reprompt_choice", understood)
        if not understood:
            return result
        code = asked[-1]
        present, negated = result["symptoms"], result["negated_symptoms"]
        target, other = (present, negated) if answer else (negated, present)
        if code not in target:
            target.append(code)
        if code in other:
            other.remove(code)
        return result


def yes_no(text: str) -> bool | None:
    number = parse_choice(text)
    if number in (1, 2):
        return number == 1
    return parse_yes_no(text)


def triage_inputs(tracker: Tracker) -> dict[str, Any]:
    """The form's slots as keyword arguments for ``engine.triage``."""
    pregnant = tracker.get_slot("pregnant")
    return {
        "symptoms": list(tracker.get_slot("symptoms") or []),
        "negated": list(tracker.get_slot("negated_symptoms") or []),
        "age": as_number(tracker.get_slot("age")),
        "sex": tracker.get_slot("sex") if tracker.get_slot("sex") in ("m", "f") else None,
        "pregnant": None if pregnant not in ("yes", "no") else pregnant == "yes",
        "duration_days": as_number(tracker.get_slot("duration_days")),
        "severity": tracker.get_slot("severity") if tracker.get_slot("severity") in ("mild", "moderate", "severe") else None,
    }


def next_followup(tracker: Tracker) -> str | None:
    """The next symptom to ask about, or None when enough has been asked."""
    asked = list(tracker.get_slot("asked_symptoms") or [])
    if len(asked) >= MAX_FOLLOWUPS:
        return None
    from engine.triage import next_question

    inputs = triage_inputs(tracker)
    known_negative = list(dict.fromkeys(inputs["negated"] + asked))
    return next_question(
        inputs["symptoms"], known_negative, age=inputs["age"], sex=inputs["sex"], pregnant=inputs["pregnant"]
    )


MISSING = object()


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, language: str) -> list:
    """Ask the intake question for ``slot``; the follow-up question names the most informative
    symptom not yet asked and remembers it."""
    if slot != "followup":
        say(dispatcher, f"core_ask_{slot}", language)
        return []
    code = next_followup(tracker)
    if code is None:  # nothing informative left (the required slots will drop the question)
        return []
    say(dispatcher, "core_ask_followup", language, symptom=symptom_name(code, language))
    return [SlotSet("asked_symptoms", list(tracker.get_slot("asked_symptoms") or []) + [code])]
