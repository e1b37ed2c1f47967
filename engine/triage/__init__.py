"""Symptom triage: a ranked differential with urgency, specialist, advice and explanation.

The stable interface the dialogue's action server calls::

    from engine.triage import triage, next_question
    result = triage("3 din se tez bukhar aur jodon mein dard", age=34, sex="f")
    result.to_contract()   # the `saathi triage` JSON object
    result.conditions[0].names["hi"], result.conditions[0].self_care["pa"]
    next_question(["fever"], ["cough"], age=34, sex="f")   # -> a symptom code or None
    triage("tez bukhar", when=date(2026, 8, 14), state="BR")  # season and region priors (optional)

Possible conditions, never a diagnosis: the advice always says so and always names a doctor;
any red flag from ``nlu.red_flags`` makes the result an emergency with 108/112 advice first.
Plain Python (no Rasa, no Flask).
"""

from __future__ import annotations

import datetime as dt
import threading

from engine.triage.engine import Engine, RankedCondition, TriageResult

__all__ = ["Engine", "RankedCondition", "TriageResult", "default_engine", "next_question", "question_text", "triage"]

_engine: Engine | None = None
_lock = threading.Lock()


def default_engine() -> Engine:
    """The process-wide engine (knowledge base and promoted model loaded once)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = Engine()
    return _engine


def triage(
    text: str | None = None,
    *,
    symptoms: list[str] | None = None,
    negated: list[str] | None = None,
    age: float | None = None,
    sex: str | None = None,
    pregnant: bool | None = None,
    duration_days: float | None = None,
    severity: str | None = None,
    language: str | None = None,
    when: dt.date | str | None = None,
    state: str | None = None,
    district: str | None = None,
) -> TriageResult:
    """``when``, ``state`` and ``district`` (optional) feed the season and region priors."""
    return default_engine().triage(
        text, symptoms=symptoms, negated=negated, age=age, sex=sex, pregnant=pregnant,
        duration_days=duration_days, severity=severity, language=language, when=when, state=state,
        district=district,
    )


def next_question(
    symptoms: list[str],
    negated: list[str],
    age: float | None = None,
    sex: str | None = None,
    pregnant: bool | None = None,
    when: dt.date | str | None = None,
    state: str | None = None,
    district: str | None = None,
) -> str | None:
    """The most informative symptom code to ask about next, or None when no question helps."""
    return default_engine().next_question(symptoms, negated, age=age, sex=sex, pregnant=pregnant, when=when,
                                          state=state, district=district)


def question_text(symptom: str, language: str | None) -> str:
    """The follow-up question for ``symptom`` in ``language`` ("Do you also have X? 1 yes 2 no")."""
    from engine.i18n import t
    from engine.triage.explain import symptom_name

    lang = language if language in ("hi", "pa", "en") else "en"
    return t("triage_question", lang, symptom=symptom_name(symptom, lang))
