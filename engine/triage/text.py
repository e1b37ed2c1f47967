"""Everything triage reads from free text, through the project's NLU (``nlu/``), in one place.

The NLU owns the symptom lexicon, negation, language detection, duration parsing and the ONE
red-flag rule set; triage never re-implements them. Severity words are deliberately not read
from free text ("bahut dard" is everyday speech, not a severity grade): severity comes from the
dialogue's explicit question.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlu.language import detect_language
from nlu.red_flags import RULES_VERSION, RedFlag, detect_red_flags
from nlu.slots import parse_duration_days
from nlu.symptoms import codes_of, extract_symptoms

__all__ = ["RULES_VERSION", "ReadText", "read_text", "red_flags", "language_of"]


@dataclass(frozen=True)
class ReadText:
    present: list[str]
    negated: list[str]
    duration_days: float | None


def read_text(text: str | None) -> ReadText:
    if not text or not text.strip():
        return ReadText([], [], None)
    mentions = extract_symptoms(text)
    return ReadText(codes_of(mentions), codes_of(mentions, negated=True), parse_duration_days(text))


def language_of(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    return detect_language(text).language


def red_flags(
    text: str | None, symptoms: list[str], age: float | None, sex: str | None, pregnant: bool | None
) -> list[RedFlag]:
    return detect_red_flags(text or "", symptoms=symptoms, age=age, sex=sex, pregnant=pregnant)
