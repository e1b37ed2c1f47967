"""Everything triage reads from free text, through the project's NLU (``nlu/``), in one place.

The NLU owns the symptom lexicon, negation, language detection, duration parsing, vital-sign
readings and the ONE red-flag rule set; triage never re-implements them. Severity words are deliberately not read
from free text ("bahut dard" is everyday speech, not a severity grade): severity comes from the
dialogue's explicit question.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlu import safety_net
from nlu.language import detect_language
from nlu.red_flags import RULES_VERSION, RedFlag, detect_red_flags, read, text_facts, urgent_signs
from nlu.slots import age_in_text, parse_duration_days
from nlu.symptoms import codes_of, extract_symptoms
from nlu.vitals import Finding, Implausible, assess, measured_afebrile, names_measurement, read_vitals

__all__ = ["RULES_VERSION", "ReadText", "read_text", "red_flags", "urgent_flags", "language_of", "vital_signs",
           "safety_net_level", "facts_of", "reading_findings"]


@dataclass(frozen=True)
class ReadText:
    present: list[str]
    negated: list[str]
    duration_days: float | None


def read_text(text: str | None) -> ReadText:
    if not text or not text.strip():
        return ReadText([], [], None)
    mentions = extract_symptoms(text)
    # words a longer phrase or a mask gives another meaning ("dil ka daura" is a heart attack, not a fit;
    # "bijli ke jhatke jaisa dard" is nerve pain) are not symptoms for the differential either
    other_meaning = read(text).dropped
    present = [code for code in codes_of(mentions) if code not in other_meaning]
    if "fever" in present and _fever_only_measured(text, mentions):
        present.remove("fever")
    return ReadText(present, codes_of(mentions, negated=True), parse_duration_days(text))


def _fever_only_measured(text: str, mentions: list) -> bool:
    """Every fever mention only names a reading ("Temperature 37.2 C", "temp 98.6") and every reading is
    below a fever (``nlu.vitals.measured_afebrile``): clinicians list a normal temperature with the other
    vital signs, and as a fever it sent colds and sore throats to a doctor within a day. A fever word
    ("bukhar 99", "slight temperature" with no reading) stays a fever: a reported fever counts (WHO IMCI).
    The red-flag rules read the text themselves and are not changed by this."""
    fevers = [m for m in mentions if m.code == "fever" and not m.negated]
    return all(names_measurement(m.text) for m in fevers) and measured_afebrile(text)


def language_of(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    return detect_language(text).language


def red_flags(
    text: str | None, symptoms: list[str], age: float | None, sex: str | None, pregnant: bool | None
) -> list[RedFlag]:
    return detect_red_flags(text or "", symptoms=symptoms, age=age, sex=sex, pregnant=pregnant)


def urgent_flags(
    text: str | None, symptoms: list[str], age: float | None, sex: str | None, pregnant: bool | None
) -> list[RedFlag]:
    """Urgent-level signs (``nlu.red_flags.urgent_signs``: e.g. post-menopausal bleeding, NICE NG12)."""
    return urgent_signs(text or "", symptoms=symptoms, age=age, sex=sex, pregnant=pregnant)


def vital_signs(
    text: str | None, symptoms: list[str], age: float | None, sex: str | None, pregnant: bool | None
) -> tuple[list[Finding], tuple[Implausible, ...]]:
    """Thresholds the readings in ``text`` cross, judged on the facts the red-flag layer gives the
    same hook (symptoms, signals, pregnancy unless male; so an emergency here is also one of
    ``red_flags``), and the implausible values to ask again."""
    vitals = read_vitals(text)
    if not vitals.readings:
        return [], vitals.implausible
    if age is None:
        age = age_in_text(text or "")
    facts = text_facts(text or "") | set(symptoms)
    if pregnant:
        facts.add("pregnant")
    if sex == "m":
        facts.discard("pregnant")
    return assess(vitals, facts, age), vitals.implausible


#: A reading below the urgent thresholds of data/vitals.json is still a finding: 170/100 at a camp is a high
#: blood pressure (NICE NG136 2023 and ISH 2020: clinic BP 140/90 or more), a random sugar of 250 a high
#: sugar (ADA Standards of Care 2024: random plasma glucose 200 mg/dL or more). (reading values, finding).
READING_FINDINGS: tuple[tuple[str, str, float, str], ...] = (
    ("systolic", ">=", 140.0, "high_blood_pressure"),
    ("diastolic", ">=", 90.0, "high_blood_pressure"),
    ("glucose", ">=", 200.0, "high_blood_sugar"),
)


def reading_findings(text: str | None) -> list[str]:
    """The findings the readings in ``text`` are by :data:`READING_FINDINGS` (``nlu.vitals``; cached)."""
    if not text or not text.strip():
        return []
    found = []
    for reading in read_vitals(text).readings:
        for name, value in reading.values().items():
            found += [code for measure, op, limit, code in READING_FINDINGS
                      if measure == name and op == ">=" and value >= limit]
    return list(dict.fromkeys(found))


def facts_of(text: str | None) -> set[str]:
    """The symptom codes, danger-sign parts and signals the red-flag reader finds asserted in ``text``
    (``nlu.red_flags.text_facts``), for the findings only it reads (``evidence.PART_FINDINGS``)."""
    return text_facts(text or "") if text and text.strip() else set()


def safety_net_level(text: str | None) -> tuple[str | None, str | None]:
    """(least urgency, English reason) from the text classifier ``nlu.safety_net``; (None, None) if silent."""
    level = safety_net.level(text or "")
    return (level, safety_net.reason(text or "")) if level else (None, None)
