"""The optional local LLM's second opinion, attached to a finished triage result.

Only behind :func:`engine.llm.available`: without a model the result object is returned untouched,
so triage behaves exactly as before. With one, ``result.extra["second_opinion"]`` holds
``{"suggested_symptoms": [codes], "explanation": str, "model": file name}``: the suggested codes
are for the dialogue to confirm with the patient (e.g. through ``question_text``), the wording is
shown labelled as a computer's suggestion (:func:`text`). Neither changes the differential, the
urgency, the red flags or the advice; the contract object (``to_contract``) is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # engine.py imports this module
    from engine.triage.engine import TriageResult


def attach(result: TriageResult, text: str | None) -> TriageResult:
    from engine import llm

    if not text or not llm.available():
        return result
    summary = {"urgency": result.urgency, "specialist": result.specialist,
               "conditions": [c.names.get("en", c.id) for c in result.conditions[:3]]}
    opinion = llm.second_opinion(text, result.symptoms + result.negated, summary, result.language)
    if opinion is not None:
        result.extra["second_opinion"] = {"suggested_symptoms": opinion.symptoms,
                                          "explanation": opinion.explanation, "model": opinion.model}
    return result


def text(result: TriageResult, language: str | None = None) -> str | None:
    """The labelled explanation for the patient, or None when there is no second opinion."""
    from engine.i18n import t

    opinion = result.extra.get("second_opinion")
    if not opinion or not opinion.get("explanation"):
        return None
    return t("triage_second_opinion", language or result.language, explanation=opinion["explanation"])
