"""Urgency and the doctor to see, from red flags, the differential, duration, severity and age.

Order of precedence, safest first:
1. any red flag (``nlu.red_flags``) -> emergency, specialist ``emergency``;
2. the differential: emergency when the emergency conditions together hold at least
   ``EMERGENCY_MASS`` of the probability; urgent when urgent-or-worse conditions hold at least
   ``URGENT_MASS``; routine otherwise (thresholds from explicit error costs, see below);
3. raise (never lower) for a severe grade, a long illness with fever or cough, or a baby.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from engine.triage.evidence import Evidence
from engine.triage.kb import URGENCY_LEVELS, KnowledgeBase

# Decision thresholds from error costs: choosing the higher level pays when P(needs it) exceeds
# cost(over-triage) / (cost(over) + cost(under)). Missing an emergency is taken as 3x worse than
# sending a non-emergency to hospital (threshold 1/4); missing an urgent case as 2x worse than an
# unnecessary same-day visit (threshold 1/3).
EMERGENCY_MASS = 0.25
URGENT_MASS = 1 / 3
LONG_FEVER_DAYS = 3
LONG_COUGH_DAYS = 14
INFANT_AGE = 1.0
CHILD_AGE = 13.0
TOP_FOR_SPECIALIST = 5
#: Specialists a child or a pregnant woman still sees directly (eyes, ears, teeth, skin, mind).
ORGAN_SPECIALISTS = frozenset({"dentist", "ophthalmologist", "ent", "dermatologist", "psychiatrist"})


def _rank(level: str) -> int:
    return URGENCY_LEVELS.index(level)


def from_differential(kb: KnowledgeBase, probabilities: np.ndarray) -> str:
    levels = np.array([_rank(c.urgency) for c in kb.conditions])
    if probabilities[levels == 2].sum() >= EMERGENCY_MASS:
        return "emergency"
    if probabilities[levels >= 1].sum() >= URGENT_MASS:
        return "urgent"
    return "routine"


def raise_for_context(level: str, evidence: Evidence) -> str:
    """Context that makes waiting unsafe lifts routine to urgent; it never lowers anything."""
    if level != "routine":
        return level
    days = evidence.duration_days
    if evidence.severity == "severe":
        return "urgent"
    if days is not None and (
        ("fever" in evidence.present and days >= LONG_FEVER_DAYS)
        or ("cough" in evidence.present and days >= LONG_COUGH_DAYS)
    ):
        return "urgent"
    if evidence.age is not None and evidence.age < INFANT_AGE:
        return "urgent"
    return level


def decide(kb: KnowledgeBase, probabilities: np.ndarray, evidence: Evidence, red_flags: list) -> str:
    if red_flags:
        return "emergency"
    return raise_for_context(from_differential(kb, probabilities), evidence)


def specialist(kb: KnowledgeBase, probabilities: np.ndarray, evidence: Evidence, urgency: str) -> str:
    """Emergencies go to the emergency department; otherwise the leading conditions vote."""
    if urgency == "emergency":
        return "emergency"
    votes: dict[str, float] = defaultdict(float)
    for i in np.argsort(-probabilities)[:TOP_FOR_SPECIALIST]:
        votes[kb.conditions[i].specialist] += float(probabilities[i])
    choice = max(votes, key=votes.get) if votes else "general_physician"
    if choice in ORGAN_SPECIALISTS:
        return choice
    if evidence.pregnant:
        return "gynecologist"
    if evidence.age is not None and evidence.age < CHILD_AGE:
        return "pediatrician"
    if choice == "emergency":  # an emergency-type condition leading a non-emergency differential
        return "general_physician"
    return choice
