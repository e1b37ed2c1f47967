"""The end of the intake: call the triage engine and answer in the user's language.

The answer always says *possible*, says why (which symptoms fit), names the doctor to see, gives
self-care and the warning signs that mean "go now", and offers a doctor. Emergencies come first.
"""

from __future__ import annotations

import datetime as dt
import logging

from rasa_sdk.events import SlotSet

from actions.common import SaathiAction, say, symptom_list
from actions.emergency import send_emergency_advice
from actions.health_record import keep_check
from actions.intake import triage_inputs
from actions.surveillance import count_triage, known_place
from config.timezone import IST
from engine.i18n import content_language, t
from engine.logsafe import failure
from engine.metrics import TRIAGES, URGENCIES, closed
from engine.triage.explain import against_names, vital_line

log = logging.getLogger(__name__)

SHOWN_CONDITIONS = 3


def why(condition, language: str) -> str:
    """"fits: fever, headache · but no cough speaks against it" in the user's language."""
    parts = []
    if condition.supporting:
        parts.append(t("core_why_supporting", language, symptoms=symptom_list(condition.supporting[:4], language)))
    denied, unexpected = condition.denied[:2], condition.against[:2]
    if denied or unexpected:
        parts.append(t("core_why_against", language,
                       symptoms=against_names(denied, unexpected[: 2 - len(denied)], language)))
    return " · ".join(parts) or t("core_why_pattern", language)


def say_readings(dispatcher, result, language: str) -> None:
    """The readings that decided (value and limit, in the user's language) and any to send again."""
    for level, key, field in (("emergency", "vital_readings_emergency", "readings"),
                              ("urgent", "triage_explain_vitals", "readings")):
        lines = [vital_line(f, language) for f in result.vitals if f.level == level]
        if lines:
            say(dispatcher, key, language, **{field: "; ".join(lines)})
    for item in result.vitals_unclear:
        say(dispatcher, "vital_unclear", language, measure=t(f"vital_measure_{item.measure}", language),
            value=item.shown)


def consultation(place) -> dict:  # type: ignore[no-untyped-def]
    """Today's date (IST) and the place's state and district, for the triage's season and region priors."""
    context: dict = {"when": dt.datetime.now(IST).date()}
    if place is not None and getattr(place, "state", ""):
        context.update(state=place.state, district=place.district)
    return context


class ActionTriage(SaathiAction):
    action_name = "action_triage"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from engine.triage import second_opinion, triage
        from engine.triage.traffic import log_triage

        inputs = triage_inputs(tracker)
        place = known_place(tracker)
        try:
            result = triage(tracker.get_slot("complaint_text"), language=language, **inputs,
                            **consultation(place))
        except Exception as exc:  # the engine failing must still leave the user with a safe way forward
            log.error("triage engine failed: %s", failure(exc))  # not the message: it may quote the complaint
            say(dispatcher, "core_triage_failed", language)
            return [SlotSet("pending_offer", "doctor")]
        if result.urgency == "emergency":
            send_emergency_advice(dispatcher, language, result.red_flags)
        say(dispatcher, f"core_urgency_{result.urgency}", language)
        say_readings(dispatcher, result, language)
        kb = content_language(language)  # the knowledge base's own words: English for a Latin-letter reader
        if result.conditions:
            say(dispatcher, "core_possible_conditions", language)
            for condition in result.conditions[:SHOWN_CONDITIONS]:
                name = condition.names.get(kb) or condition.names["en"]
                say(dispatcher, "core_condition_line", language, name=name, why=why(condition, language))
        say(dispatcher, "core_see_specialist", language,
            specialist=t(f"core_specialist_{result.specialist}", language))
        leading = result.conditions[0] if result.conditions else None
        if leading and leading.self_care.get(kb) and result.urgency != "emergency":
            say(dispatcher, "core_self_care", language, advice=leading.self_care[kb])
        watched = {w.id for w in result.watch}
        if leading and leading.warning_signs.get(kb) and leading.id not in watched:
            say(dispatcher, "core_warning_signs", language, signs=leading.warning_signs[kb])
        for danger in result.watch:  # cannot be ruled out: what to watch for, and when to go at once
            say(dispatcher, "triage_advice_cannot_rule_out", language,
                condition=danger.names.get(kb) or danger.names["en"], warning=danger.warning_signs[kb])
        say(dispatcher, "core_offer_doctor", language)
        contract = result.to_contract()
        keep_check(tracker, language, contract, result.model_version)
        try:  # de-identified drift row (codes and bands only), one INSERT; the answer comes first
            log_triage(result, inputs, (tracker.latest_message or {}).get("metadata"))
        except Exception as exc:  # noqa: BLE001 - log_triage catches its own; this is belt and braces
            log.warning("triage traffic not logged (%s)", type(exc).__name__)
        count_triage(tracker, result, inputs, place)  # this week's syndromic counts (codes, block, week only)
        TRIAGES.labels(closed(result.urgency, URGENCIES)).inc()
        # the doctor's case gets the local LLM's suggested symptoms too, if it made any (case page)
        return [SlotSet("last_triage", second_opinion.for_doctor(contract, result)), SlotSet("pending_offer", "doctor")]
