"""Why each condition is on the list, and the advice text, rendered in the user's language.

A symptom *supports* a condition when the patient reported it and the KB gives it P >= 0.3 for
that condition; it argues *against* when the patient denied it although P >= 0.5, or reported it
although the condition almost never has it (the KB's leak value). Hallmark symptoms (P >= 0.8)
the patient did not mention are listed separately: silence is weak evidence, not a denial.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.i18n import t
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


def reasons(condition: Condition, evidence: Evidence) -> Reasons:
    p = condition.symptoms
    supporting = sorted((s for s in evidence.present if p.get(s, 0.0) >= SUPPORT_MIN), key=lambda s: -p[s])
    against = [s for s in evidence.negated if p.get(s, 0.0) >= AGAINST_MIN]
    against += [s for s in evidence.present if p.get(s, LEAK) <= LEAK]
    told = set(evidence.present) | set(evidence.negated)
    unmentioned = sorted((s for s, v in p.items() if v >= HALLMARK_MIN and s not in told), key=lambda s: -p[s])
    return Reasons(supporting[:MAX_LISTED], against[:MAX_LISTED], unmentioned[:MAX_LISTED])


def symptom_name(code: str, language: str) -> str:
    try:
        from nlu.symptoms import catalogue

        return catalogue()[code].name(language)
    except (ImportError, KeyError):
        return code.replace("_", " ")


def _names(codes: list[str], language: str) -> str:
    return ", ".join(symptom_name(c, language) for c in codes)


def condition_line(condition: Condition, probability: float, why: Reasons, language: str) -> str:
    parts = [t("triage_explain_condition", language, condition=condition.name(language),
               percent=round(100 * probability))]
    if why.supporting:
        parts.append(t("triage_explain_supporting", language, symptoms=_names(why.supporting, language)))
    if why.against:
        parts.append(t("triage_explain_against", language, symptoms=_names(why.against, language)))
    if why.unmentioned:
        parts.append(t("triage_explain_unmentioned", language, symptoms=_names(why.unmentioned, language)))
    return "; ".join(parts)


def explanation(lines: list[str], red_flag_codes: list[str], language: str) -> str:
    text = []
    if red_flag_codes:
        text.append(t("triage_explain_red_flags", language, signs=_names(red_flag_codes, language)))
    if lines:
        text.append(t("triage_explain_header", language) + " " + " | ".join(lines))
    return " ".join(text)


def advice(urgency: str, specialist: str, top: Condition | None, language: str) -> str:
    """Urgency first (108/112 at once for emergencies), then what to do and what to watch for."""
    parts = [t(f"triage_advice_{urgency}", language)]
    parts.append(t("triage_advice_specialist", language, specialist=t(f"triage_specialist_{specialist}", language)))
    if top is not None:
        parts.append(t("triage_advice_possible", language, condition=top.name(language)))
        if urgency != "emergency" or top.urgency == "emergency":  # first aid, not "rest at home"
            parts.append(top.self_care[language])
        parts.append(t("triage_advice_warning", language, warning=top.warning_signs[language]))
    parts.append(t("triage_disclaimer", language))
    return " ".join(parts)
