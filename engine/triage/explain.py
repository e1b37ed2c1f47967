"""Why each condition is on the list, and the advice text, rendered in the user's language.

A symptom *supports* a condition when the patient reported it and the KB gives it P >= 0.3 for
that condition; it argues *against* when the patient denied it although P >= 0.5 (*denied*, shown
as "no loss of appetite": the absence is what speaks against, never the symptom itself), or reported
it although the condition almost never has it (the KB's leak value). Hallmark symptoms (P >= 0.8)
the patient did not mention are listed separately: silence is weak evidence, not a denial.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.i18n import content_language, latin_symptom_name, romanised, t
from engine.triage.evidence import Evidence
from engine.triage.kb import LEAK, Condition

SUPPORT_MIN = 0.3
AGAINST_MIN = 0.5
HALLMARK_MIN = 0.8
MAX_LISTED = 4


@dataclass(frozen=True)
class Reasons:
    supporting: list[str]
    against: list[str]
    unmentioned: list[str]
    denied: list[str] = field(default_factory=list)


def reasons(condition: Condition, evidence: Evidence) -> Reasons:
    p = condition.symptoms
    supporting = sorted((s for s in evidence.present if p.get(s, 0.0) >= SUPPORT_MIN), key=lambda s: -p[s])
    denied = sorted((s for s in evidence.negated if p.get(s, 0.0) >= AGAINST_MIN), key=lambda s: -p[s])
    against = [s for s in evidence.present if p.get(s, LEAK) <= LEAK]
    told = set(evidence.present) | set(evidence.negated)
    unmentioned = sorted((s for s, v in p.items() if v >= HALLMARK_MIN and s not in told), key=lambda s: -p[s])
    return Reasons(supporting[:MAX_LISTED], against[:MAX_LISTED], unmentioned[:MAX_LISTED], denied[:MAX_LISTED])


def symptom_name(code: str, language: str) -> str:
    if romanised(language) and (latin := latin_symptom_name(code, language)):
        return latin
    try:
        from nlu.symptoms import catalogue

        return catalogue()[code].name(language)
    except (ImportError, KeyError):
        return code.replace("_", " ")


def _names(codes: list[str], language: str) -> str:
    return ", ".join(symptom_name(c, language) for c in codes)


def against_names(denied: Sequence[str], unexpected: Sequence[str], language: str) -> str:
    """What argues against a condition, as the patient would say it: a denied symptom is its absence
    ("no loss of appetite"), a reported one the condition rarely has is named as it is."""
    said_no = [t("core_symptom_no", language, symptom=symptom_name(c, language)) for c in denied]
    return ", ".join(said_no + [symptom_name(c, language) for c in unexpected])


def condition_line(condition: Condition, probability: float, why: Reasons, language: str) -> str:
    parts = [t("triage_explain_condition", language, condition=condition.name(content_language(language)),
               percent=round(100 * probability))]
    if why.supporting:
        parts.append(t("triage_explain_supporting", language, symptoms=_names(why.supporting, language)))
    if why.against or why.denied:
        parts.append(t("triage_explain_against", language, symptoms=against_names(why.denied, why.against, language)))
    if why.unmentioned:
        parts.append(t("triage_explain_unmentioned", language, symptoms=_names(why.unmentioned, language)))
    return "; ".join(parts)


def vital_line(finding: Any, language: str) -> str:
    """One reading past a threshold (``nlu.vitals.Finding``): value, limit and meaning."""
    return t(finding.message, language, value=finding.shown, limit=finding.limit)


def unclear_line(item: Any, language: str) -> str:
    """Ask again for a reading that cannot be right (``nlu.vitals.Implausible``)."""
    return t("vital_unclear", language, measure=t(f"vital_measure_{item.measure}", language), value=item.shown)


def explanation(lines: list[str], red_flag_codes: list[str], language: str, findings: Iterable[Any] = (),
                safety_net: bool = False) -> str:
    """Danger signs (emergency readings among them) first, then urgent readings, then (when it decided
    the urgency) the safety net's note, then the differential."""
    text = []
    findings = list(findings)
    signs = [_names(red_flag_codes, language)] if red_flag_codes else []
    signs += [vital_line(f, language) for f in findings if f.level == "emergency"]
    if signs:
        text.append(t("triage_explain_red_flags", language, signs="; ".join(signs)))
    urgent = [vital_line(f, language) for f in findings if f.level == "urgent"]
    if urgent:
        text.append(t("triage_explain_vitals", language, readings="; ".join(urgent)))
    if safety_net:
        text.append(t("triage_explain_safety_net", language))
    if lines:
        text.append(t("triage_explain_header", language) + " " + " | ".join(lines))
    return " ".join(text)


def watch_line(condition: Any, language: str) -> str:
    """A dangerous condition the differential cannot rule out, with the signs that mean "go now"."""
    kb = content_language(language)
    return t("triage_advice_cannot_rule_out", language, condition=condition.name(kb), warning=condition.warning_signs[kb])


def advice(urgency: str, specialist: str, top: Condition | None, language: str,
           watch: Sequence[Condition] = (), unclear: Iterable[Any] = ()) -> str:
    """Urgency first (108/112 at once for emergencies), readings to send again, then what to do and
    what to watch for: the dangers that cannot be ruled out name their own warning signs."""
    parts = [t(f"triage_advice_{urgency}", language)]
    parts += [unclear_line(item, language) for item in unclear]
    parts.append(t("triage_advice_specialist", language, specialist=t(f"triage_specialist_{specialist}", language)))
    watched = [c for c in watch if urgency != "emergency"]
    kb = content_language(language)  # the knowledge base's words: English for a Latin-letter reader
    if top is not None:
        parts.append(t("triage_advice_possible", language, condition=top.name(kb)))
        if urgency != "emergency" or top.urgency == "emergency":  # first aid, not "rest at home"
            parts.append(top.self_care[kb])
        if top.id not in {c.id for c in watched}:
            parts.append(t("triage_advice_warning", language, warning=top.warning_signs[kb]))
    parts += [watch_line(c, language) for c in watched]
    parts.append(t("triage_disclaimer", language))
    return " ".join(parts)
