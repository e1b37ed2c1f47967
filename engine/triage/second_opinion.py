"""The optional local LLM's second opinion, attached to a finished triage result for the doctor.

Only behind :func:`engine.llm.available`: without a model the result object is returned untouched,
so triage behaves exactly as before. With one, ``result.extra["second_opinion"]`` holds
``{"suggested_symptoms": [codes], "model": file name}``: known symptom codes the lexicon did not
find in the patient's words. They change nothing the patient is told (not the differential, the
urgency, the red flags or the advice; ``to_contract`` is unchanged); :func:`for_doctor` hands them
with the triage to the doctor's queue, where the case page shows them labelled as a machine
suggestion of what else to ask about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # engine.py imports this module
    from engine.triage.engine import TriageResult


def attach(result: TriageResult, text: str | None) -> TriageResult:
    from engine import llm

    if not text or not llm.available():
        return result
    opinion = llm.second_opinion(text, result.symptoms + result.negated)
    if opinion is not None and opinion.symptoms:
        result.extra["second_opinion"] = {"suggested_symptoms": opinion.symptoms, "model": opinion.model}
    return result


def for_doctor(contract: dict[str, Any], result: TriageResult) -> dict[str, Any]:
    """The triage the doctor's case is opened with: the contract object, plus the machine's
    suggested symptoms when there are any (a copy; the contract itself stays as specified)."""
    opinion = result.extra.get("second_opinion")
    if not opinion or not opinion.get("suggested_symptoms"):
        return contract
    return {**contract, "second_opinion": {"suggested_symptoms": list(opinion["suggested_symptoms"]),
                                           "model": opinion.get("model", "")}}
