"""Medicines: knowledge base, prescription parsing, interactions, explanations, document summaries.

Public API: :func:`check_interactions`, :func:`explain_medicine`, :func:`side_effect_check`,
:func:`summarise_document`, :func:`parse_medications`.
"""

from engine.meds.assist import Explanation, SideEffectWarning, explain_medicine, side_effect_check
from engine.meds.interactions import Interaction, check_interactions
from engine.meds.parse import Medication, parse_medications
from engine.meds.summary import summarise_document

__all__ = ["Explanation", "Interaction", "Medication", "SideEffectWarning", "check_interactions",
           "explain_medicine", "parse_medications", "side_effect_check", "summarise_document"]
