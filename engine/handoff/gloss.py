"""A doctor-facing summary of what the patient wrote, in the doctor's language, read by our parsers.

There is no machine translation on these machines (no downloads, nothing in PyPI that ships a
Hindi/Punjabi→English model), and a wrong free translation is worse than none in a clinic. What we
can do exactly is say in English what the assistant *understood*: who is ill, age and sex, the
symptoms present and denied (negation-aware, any script or spelling), since when, how bad, the
medicines named and any danger sign. The portal shows it under the patient's own words, labelled
as a machine summary, so the doctor always sees both.
"""

from __future__ import annotations

from engine.i18n import t
from nlu.red_flags import detect_red_flags
from nlu.slots import parse_age, parse_duration_days, parse_patient, parse_severity, parse_sex
from nlu.symptoms import catalogue, extract_symptoms


def _symptom(code: str, language: str) -> str:
    row = catalogue().get(code)
    return row.name(language) if row else code.replace("_", " ")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _duration(days: float, language: str) -> str:
    if days < 1:
        return t("gloss_duration_hours", language, hours=max(1, round(days * 24)))
    if days >= 14 and days % 7 < 1:
        return t("gloss_duration_weeks", language, weeks=round(days / 7))
    if days == 1:
        return t("gloss_duration_one_day", language)
    return t("gloss_duration_days", language, days=f"{days:g}")


def gloss(text: str, language: str = "en") -> str:
    """One or two short lines, e.g. "Child, 5 years, female. Diarrhoea, vomiting; for 3 days; severe.
    Denies: fever. Medicines named: Dolo 650." — empty when nothing was understood."""
    if not text or not text.strip():
        return ""
    who: list[str] = []
    if patient := parse_patient(text):
        who.append(t(f"gloss_patient_{patient}", language))
    age = parse_age(text)
    days = parse_duration_days(text)
    if age is not None and not (days is not None and age < 1):  # "3 din se" is a duration, not an age
        who.append(t("gloss_age_years", language, years=f"{age:g}") if age >= 1
                   else t("gloss_age_months", language, months=round(age * 12)))
    if sex := parse_sex(text):
        who.append(t(f"gloss_sex_{sex}", language))
    mentions = extract_symptoms(text)
    present = _unique([_symptom(m.code, language) for m in mentions if not m.negated])
    denied = _unique([_symptom(m.code, language) for m in mentions if m.negated])
    what: list[str] = []
    if present:
        what.append(", ".join(present))
    if days is not None:
        what.append(_duration(days, language))
    if severity := parse_severity(text):
        what.append(t(f"gloss_severity_{severity}", language))
    parts = [", ".join(who), "; ".join(what)]
    if denied:
        parts.append(t("gloss_denies", language, symptoms=", ".join(denied)))
    medicines = _medicines(text)
    if medicines:
        parts.append(t("gloss_medicines", language, medicines=", ".join(medicines)))
    flags = detect_red_flags(text)
    if flags:
        parts.append(t("gloss_danger", language, signs=", ".join(_unique([f.id.replace("_", " ") for f in flags]))))
    sentences = [p[0].upper() + p[1:] for p in parts if p]
    return ". ".join(sentences) + "." if sentences else ""


def _medicines(text: str) -> list[str]:
    try:
        from engine.meds.parse import find_medicines
    except ImportError:  # pragma: no cover - the medicines extra is part of the project
        return []
    return _unique([m.name for m in find_medicines(text)])
