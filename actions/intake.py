"""The symptom intake: a Rasa form whose questions are chosen per patient.

Who is ill, age, sex, pregnancy (only for women of child-bearing age), since when and how bad,
an optional reading (for fever, breathlessness, sugar or BP without one: "if you have a
thermometer, what does it show?"; 2 skips it), then 0–``MAX_FOLLOWUPS`` follow-up questions
picked by the triage engine for the most information about the differential. Every answer is parsed by ``nlu.slots`` (any language, any script, or the
menu number); extra symptoms mentioned in any answer are added to the picture.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import (
    SaathiAction,
    conversation_language,
    conversation_script,
    latest_text,
    red_flags_of_latest,
    say,
    script_events,
    symptom_list,
    symptom_mentions,
    symptom_name,
)
from actions.forms import AnswerValidation
from config.timezone import IST
from engine.i18n import reply_script, t
from nlu.choice import parse_choice
from nlu.red_flags import detect_red_flags
from nlu.slots import (
    parse_age,
    parse_duration_days,
    parse_patient,
    parse_severity,
    parse_sex,
    parse_yes_no,
)
from nlu.vitals import devices_mentioned, read_vitals

MAX_FOLLOWUPS = 4
FORM_SLOTS = ("symptom_text", "patient", "age", "sex", "pregnant", "duration_days", "severity", "reading",
              "followup")
PATIENT_BY_NUMBER = {1: "self", 2: "child", 3: "other"}
SEX_BY_NUMBER = {1: "m", 2: "f"}
SEVERITY_BY_NUMBER = {1: "mild", 2: "moderate", 3: "severe"}
#: Which device to ask about for which symptoms (first match), and the keyword that turns a bare
#: answer ("102") into a reading nlu.vitals understands ("temp 102").
READING_DEVICES = (
    ("spo2", frozenset({"breathlessness", "fast_breathing", "cyanosis"}), "spo2"),
    ("temperature", frozenset({"fever"}), "temp"),
    ("glucose", frozenset({"high_blood_sugar", "low_blood_sugar"}), "sugar"),
    ("bp", frozenset({"high_blood_pressure"}), "bp"),
)


def merge_symptoms(tracker: Tracker, text: str) -> tuple[list[str], list[str]]:
    """The tracker's symptom lists with whatever ``text`` adds (a later 'no' overrides a 'yes');
    the mentions come from Rasa's parse when ``text`` is the message it parsed."""
    present = list(tracker.get_slot("symptoms") or [])
    negated = list(tracker.get_slot("negated_symptoms") or [])
    for code, denied in symptom_mentions(tracker, text):
        if denied:
            if code in present:
                present.remove(code)
            if code not in negated:
                negated.append(code)
        elif code not in present:
            present.append(code)
            if code in negated:
                negated.remove(code)
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

    action_name = "action_start_intake"

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
        latest_message = tracker.latest_message

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


class ValidateSymptomForm(AnswerValidation):
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
        stale = forget_unread_consent(tracker)
        events = await super().run(dispatcher, tracker, domain)  # also applies them to ``tracker``
        answered = any(e.get("event") == "slot" and e.get("name") != REQUESTED_SLOT for e in events)
        if pending and after_user and not extracted and not answered:
            return events  # Rasa's own rule: it rejects the form, and the interrupting intent's rule answers
        events = stale + events
        requested = next((e["value"] for e in reversed(events)
                          if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT), MISSING)
        if requested is MISSING:  # required slots in the domain's order: rasa-sdk left the choice to Rasa
            required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
            requested = next((slot for slot in required if tracker.get_slot(slot) is None), None)
            events.append(SlotSet(REQUESTED_SLOT, requested))
        language = conversation_language(tracker)
        script = conversation_script(tracker)
        flags = red_flags_of_latest(tracker) if after_user else []
        with reply_script(script):
            if flags:  # the safety net every SaathiAction has (NLU normally turned these into `emergency`)
                from actions.emergency import send_emergency_advice

                send_emergency_advice(dispatcher, language, flags)
            if requested:
                events += ask_question(dispatcher, tracker, requested, language)
        if tracker.get_slot("language") != language:
            events.append(SlotSet("language", language))
        return events + script_events(tracker, script, events)

    async def needed_slots(
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
        if tracker.get_slot("reading") == "emergency":  # straight to the triage answer (emergency advice)
            return [slot for slot in slots if tracker.get_slot(slot) is not None]
        if tracker.get_slot("reading") is not None or reading_device(tracker) is not None:
            slots.append("reading")
        # (an answer to the last follow-up question still waiting for validation is added by
        # AnswerValidation, like every other answer)
        if tracker.get_slot("symptoms") and next_followup(tracker) is not None:
            slots.append("followup")
        # asked once per patient; a value other than yes/no is an answer older versions stored unread
        if tracker.get_slot("records_consent") not in ("yes", "no"):
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
        choice = parse_choice(text)
        value = PATIENT_BY_NUMBER.get(choice) or parse_patient(text)
        result = self._answer(dispatcher, tracker, "patient", value, "core_reprompt_choice")
        # "meri 5 saal ki beti" gives the age too; a bare menu number ("1" = me) is not an age
        # (it made every caller who pressed 1 a one-year-old).
        if choice is None and (age := parse_age(text)) is not None and not tracker.get_slot("age"):
            result["age"] = age
        return result

    def validate_age(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        text = str(slot_value)
        number = parse_choice(text)
        value = parse_age(text) if number is None else float(number)
        if value is not None and not 0 <= value <= 120:
            value = None
        return self._answer(dispatcher, tracker, "age", value, "core_reprompt_age")

    def _menu_answer(self, dispatcher, tracker, slot: str, slot_value: Any, by_number: dict[int, str],
                     parse: Any) -> dict[str, Any]:
        """A menu question: the number chosen, else the answer in words."""
        text = str(slot_value)
        value = by_number.get(parse_choice(text)) or parse(text)
        return self._answer(dispatcher, tracker, slot, value, "core_reprompt_choice")

    def _yes_no_answer(self, dispatcher, tracker, slot: str, slot_value: Any) -> dict[str, Any]:
        """A yes/no question (1 yes, 2 no, or words), stored as "yes" or "no"."""
        answer = yes_no(str(slot_value))
        value = None if answer is None else ("yes" if answer else "no")
        return self._answer(dispatcher, tracker, slot, value, "core_reprompt_choice")

    def validate_sex(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        return self._menu_answer(dispatcher, tracker, "sex", slot_value, SEX_BY_NUMBER, parse_sex)

    def validate_pregnant(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        return self._yes_no_answer(dispatcher, tracker, "pregnant", slot_value)

    def validate_records_consent(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        return self._yes_no_answer(dispatcher, tracker, "records_consent", slot_value)

    def validate_duration_days(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        value = parse_duration_days(str(slot_value))
        return self._answer(dispatcher, tracker, "duration_days", value, "core_reprompt_duration")

    def validate_severity(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        return self._menu_answer(dispatcher, tracker, "severity", slot_value, SEVERITY_BY_NUMBER, parse_severity)

    def validate_reading(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        """A reading ("102", "oxygen 91", "BP 150/95") joins the complaint the triage reads; one that
        cannot be right is asked again; anything else ("2", "nahi hai") skips the step."""
        text = str(slot_value)
        device = reading_device(tracker) or "temperature"
        vitals = read_vitals(text)
        if yes_no(text) is False and not vitals.readings:  # "2", "nahi hai": no such device
            return self._answer(dispatcher, tracker, "reading", "none", "core_reprompt_choice")
        if not vitals.readings and not vitals.implausible and any(ch.isdigit() for ch in text):
            text = f"{dict((d, k) for d, _, k in READING_DEVICES)[device]} {text}"  # a bare number
            vitals = read_vitals(text)
        result = self._answer(dispatcher, tracker, "reading", "none", "core_reprompt_choice")
        language = conversation_language(tracker)
        if not vitals.readings and not vitals.implausible and yes_no(text):  # "yes, I have one": the number?
            result["reading"] = None
            return result
        if vitals.implausible and not vitals.readings:
            for item in vitals.implausible:
                say(dispatcher, "vital_unclear", language, measure=t(f"vital_measure_{item.measure}", language),
                    value=item.shown)
            result["reading"] = None
            return result
        if vitals.readings:
            complaint = " ".join(filter(None, [tracker.get_slot("complaint_text"), text]))
            result["complaint_text"] = complaint
            inputs = triage_inputs(tracker)
            flags = detect_red_flags(complaint, symptoms=result["symptoms"], age=inputs["age"], sex=inputs["sex"],
                                     pregnant=inputs["pregnant"])
            result["reading"] = "emergency" if any(f.id.startswith("vital_") for f in flags) else "given"
        return result

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


def forget_unread_consent(tracker: Tracker) -> list:
    """Empties a consent slot that holds an answer stored unread (before issue #14's fix, "1" or
    "हाँ" stayed there as typed), so the form asks the question again; the events that say so."""
    value = tracker.get_slot("records_consent")
    if value in (None, "yes", "no") or "records_consent" in tracker.slots_to_validate():
        return []
    tracker.slots["records_consent"] = None
    return [SlotSet("records_consent", None)]


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


def reading_device(tracker: Tracker) -> str | None:
    """The device to ask a reading from (spo2, temperature, glucose, bp), or None: no symptom calls
    for one and the complaint names no device ("mere paas oximeter hai"), or it already gave that
    reading."""
    present = set(tracker.get_slot("symptoms") or [])
    given, named = complaint_devices(tracker.get_slot("complaint_text") or "")
    wanted = [device for device, symptoms, _ in READING_DEVICES if present & symptoms] + list(named)
    return next((device for device in wanted if device not in given), None)


@lru_cache(maxsize=256)
def complaint_devices(complaint: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The measures the complaint already gives a reading of, and the devices it names, in order.

    Read once per complaint text: both depend on the text alone, and a form turn asks for them three
    or four times over the same complaint (rasa-sdk's ``required_slots`` for extraction, validation
    and the next slot, then the reading question), each time tokenising and scanning it again
    (issue #15: about a fifth of the action server's CPU on a form turn)."""
    return frozenset(r.measure for r in read_vitals(complaint).readings), tuple(devices_mentioned(complaint))


def next_followup(tracker: Tracker) -> str | None:
    """The next symptom to ask about, or None when enough has been asked."""
    asked = list(tracker.get_slot("asked_symptoms") or [])
    if len(asked) >= MAX_FOLLOWUPS:
        return None
    from engine.triage import next_question

    inputs = triage_inputs(tracker)
    known_negative = list(dict.fromkeys(inputs["negated"] + asked))
    return next_question(
        inputs["symptoms"], known_negative, age=inputs["age"], sex=inputs["sex"], pregnant=inputs["pregnant"],
        when=dt.datetime.now(IST).date(),  # this season's leading conditions pick the question
    )


MISSING = object()


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, language: str) -> list:
    """Ask the intake question for ``slot``; the follow-up question names the most informative
    symptom not yet asked and remembers it."""
    if slot == "reading":
        device = reading_device(tracker) or "temperature"
        say(dispatcher, "core_ask_reading", language, device=t(f"vital_device_{device}", language))
        return []
    if slot != "followup":
        say(dispatcher, f"core_ask_{slot}", language)
        return []
    code = next_followup(tracker)
    if code is None:  # nothing informative left (the required slots will drop the question)
        return []
    say(dispatcher, "core_ask_followup", language, symptom=symptom_name(code, language))
    return [SlotSet("asked_symptoms", list(tracker.get_slot("asked_symptoms") or []) + [code])]
