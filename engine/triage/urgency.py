"""Urgency and the doctor to see, from red flags, the differential, duration, severity and age.

Order of precedence, safest first:
1. any red flag (``nlu.red_flags``, which includes emergency-level vital signs) -> emergency,
   specialist ``emergency``;
2. the knowledge-base scorer's distribution (``Engine.urgency_probabilities``: the same for every
   trained classifier version and seed; the classifier only ranks): emergency when the emergency
   conditions together hold at least ``EMERGENCY_MASS`` of the probability; urgent when
   urgent-or-worse conditions hold at least ``URGENT_MASS``; routine otherwise (thresholds from
   explicit error costs, see below; not the urgent mass for short-lived vomiting in an adult told alone,
   ``self_limiting_vomiting``). An urgent condition with ``urgent_needs`` in the knowledge base
   counts as urgent only with one of the findings its guideline names (a head bump without vomiting,
   drowsiness or a blackout is home care, NICE NG232): a prior and shared symptoms alone do not make it;
3. cannot rule out: any single emergency condition with probability ``CANNOT_RULE_OUT`` or more
   makes it at least urgent, and the answer names that danger and its warning signs;
4. raise (never lower) for a severe grade, a long illness with fever or cough, a young infant (any
   illness under 2 months but a local skin finding alone, a fever under 6 months), or a reading past an urgent threshold
   (``nlu.vitals``: NEWS2, IMCI, ADA, ...).
5. raise (never lower) routine to urgent for an urgent-level sign (``nlu.red_flags.urgent_signs``:
   rules with a named source, e.g. post-menopausal bleeding on the NICE NG12 suspected-cancer pathway);
6. raise (never lower) routine to urgent when the text classifier ``nlu.safety_net`` puts the
   message above its urgent threshold (its emergency tier is a red flag, step 1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from engine.triage.evidence import Evidence
from engine.triage.kb import URGENCY_LEVELS, KnowledgeBase

# Decision thresholds from error costs: choosing the higher level pays when P(needs it) exceeds
# cost(over-triage) / (cost(over) + cost(under)). Missing an emergency is taken as 3x worse than
# sending a non-emergency to hospital (threshold 1/4); missing an urgent case as 2x worse than an
# unnecessary same-day visit (threshold 1/3).
EMERGENCY_MASS = 0.25
URGENT_MASS = 1 / 3
# Cannot rule out a dangerous condition: seeing a doctor within 24 hours instead of "when convenient"
# pays when P(condition) x (harm averted by the visit if it is that emergency) exceeds
# (1 - P) x (cost of an unneeded visit). An emergency condition sent home with self-care advice is
# taken as 9 times worse than one unneeded same-day visit (a day's wages and travel), so the
# threshold is 1 / (1 + 9) = 0.10 (chosen from these costs, not tuned on the vignettes).
CANNOT_RULE_OUT = 0.10
LONG_FEVER_DAYS = 3
LONG_COUGH_DAYS = 14
# Age in years below which any illness needs a doctor the same day: WHO IMCI (2014 chart booklet) /
# MoHFW IMNCI (2009) assess every sick young infant, birth up to 2 months, on its own chart because
# its danger signs are few and late. Until 2026-12-07 this was "any illness under 1 year" (no source):
# teething, colic, nappy rash and spitting up at 3-11 months were sent to a doctor within a day.
YOUNG_INFANT_AGE = 2 / 12
# A fever up to this age (years) needs a doctor the same day: NICE NG143 Fever in under 5s (2019, updated
# 2021) makes "age under 3 months, temperature 38 °C or higher" red and "age 3-6 months, temperature 39 °C
# or higher" amber; a fever told without a reading cannot rule out 39 °C, so every fever up to 6 months counts.
FEVER_INFANT_AGE = 0.5
# Findings of the skin alone that the young infant chart treats at home when there is no danger sign (WHO IMCI
# Chart Booklet 2014 and MoHFW IMNCI 2009, young infant "local bacterial infection": a few skin pustules or a red
# umbilicus, home care with follow-up in 2 days; NICE CKS Nappy rash 2023: managed at home). A young infant with
# only these is not raised by age alone; any other finding (a fever, poor feeding, a rash that does not fade,
# which is its own red flag) still is.
LOCAL_SKIN = frozenset({"rash", "itching", "skin_patch", "scaly_skin"})
# From this age (years) a fever beside a vaccine given in the last two days is not raised by age alone: fever and a
# red sore injection spot are the commonest minor adverse events following immunization (MoHFW AEFI Surveillance
# and Response Operational Guidelines 2015; NHS Vaccinations: side effects), and NICE NG143 makes 3-6 months amber
# only at 39 C or more (a reading that high is still raised, ``nlu.vitals`` infant_fever_amber). Under 3 months any
# fever stays urgent (NICE NG143 red), and the differential and red flags still decide.
POST_VACCINE_FEVER_MIN_AGE = 3 / 12
# Short-lived vomiting in an adult, told with nothing but nausea or loose stools, is home care: NICE CKS
# Gastroenteritis (2024) manages adults at home unless dehydrated (WHO The treatment of diarrhoea, 2005: thirst,
# little urine, sunken eyes, lethargy are signs), vomiting persistently, passing blood, in severe pain, older or
# pregnant; NHS Diarrhoea and vomiting / Food poisoning: see a GP when vomiting lasts more than 2 days. With vomiting
# alone the differential spread ~0.37 of its mass over urgent fevers (dengue, malaria, typhoid) nobody told, so the
# urgent mass does not decide there; the emergency mass, the cannot-rule-out watch, red flags, readings and urgent
# signs still do. Ages: NICE CKS's adult advice from 16 (children follow WHO IMCI's dehydration chart), and under
# 65 (older people are assessed for dehydration and complications, NICE CKS).
SELF_LIMITING_GI = frozenset({"vomiting", "nausea", "diarrhoea"})
SELF_LIMITING_GI_AGES = (16.0, 65.0)
SELF_LIMITING_GI_DAYS = 2
CHILD_AGE = 13.0
TOP_FOR_SPECIALIST = 5
#: Specialists a child or a pregnant woman still sees directly (eyes, ears, teeth, skin, mind).
ORGAN_SPECIALISTS = frozenset({"dentist", "ophthalmologist", "ent", "dermatologist", "psychiatrist"})


def _rank(level: str) -> int:
    return URGENCY_LEVELS.index(level)


def from_differential(kb: KnowledgeBase, probabilities: np.ndarray, evidence: Evidence | None = None) -> str:
    """The level the differential's mass decides; an urgent condition whose guideline sends its uncomplicated
    form home weighs as routine without the findings that guideline names (``KnowledgeBase.levels``)."""
    levels = kb.levels(evidence.present, evidence.age) if evidence is not None else kb.level_ranks
    if probabilities[levels == 2].sum() >= EMERGENCY_MASS:
        return "emergency"
    if probabilities[levels >= 1].sum() >= URGENT_MASS and not (evidence is not None and self_limiting_vomiting(evidence)):
        return "urgent"
    return "routine"


def self_limiting_vomiting(evidence: Evidence) -> bool:
    """Vomiting told with at most nausea or loose stools, by a non-pregnant adult of 16-64, for 2 days or less (or
    no duration told) and not said to be severe: home care (``SELF_LIMITING_GI``). Anything else told (a fever, a
    dehydration sign, blood, belly pain) leaves the differential to decide."""
    low, high = SELF_LIMITING_GI_AGES
    days = evidence.duration_days
    return ("vomiting" in evidence.present and set(evidence.present) <= SELF_LIMITING_GI
            and evidence.age is not None and low <= evidence.age < high and not evidence.pregnant
            and evidence.severity != "severe" and (days is None or days <= SELF_LIMITING_GI_DAYS))


def dangers(kb: KnowledgeBase, probabilities: np.ndarray) -> list[int]:
    """Emergency conditions the differential cannot rule out, most probable first."""
    order = np.argsort(-probabilities)
    return [int(i) for i in order if probabilities[i] >= CANNOT_RULE_OUT and kb.conditions[i].urgency == "emergency"]


def at_least(level: str, floor: str) -> str:
    return level if _rank(level) >= _rank(floor) else floor


def raise_for_vitals(level: str, findings: Iterable) -> str:
    """Readings past a threshold (``nlu.vitals.Finding``) raise to their level; never lower."""
    for finding in findings:
        level = at_least(level, finding.level)
    return level


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
    skin_only = bool(evidence.present) and set(evidence.present) <= LOCAL_SKIN
    after_vaccine = evidence.age is not None and evidence.age >= POST_VACCINE_FEVER_MIN_AGE and (
        "recent_vaccination" in evidence.present)
    if evidence.age is not None and ((evidence.age < YOUNG_INFANT_AGE and not skin_only)
                                     or ("fever" in evidence.present and evidence.age <= FEVER_INFANT_AGE
                                         and not after_vaccine)):
        return "urgent"
    return level


def raise_for_safety_net(level: str, net_level: str | None) -> str:
    """The safety net's urgent tier lifts routine to urgent; it never lowers anything."""
    return "urgent" if level == "routine" and net_level in ("urgent", "emergency") else level


def raise_for_signs(level: str, signs: list) -> str:
    """Urgent-level signs lift routine to urgent; they never lower anything."""
    return at_least(level, "urgent") if signs else level


def decide(kb: KnowledgeBase, probabilities: np.ndarray, evidence: Evidence, red_flags: list,
           findings: Iterable = (), signs: list = ()) -> str:
    if red_flags:
        return "emergency"
    level = raise_for_context(from_differential(kb, probabilities, evidence), evidence)
    if dangers(kb, probabilities):
        level = at_least(level, "urgent")
    return raise_for_signs(raise_for_vitals(level, findings), list(signs))


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
    contact = first_contact(evidence)
    if contact != "general_physician":
        return contact
    if choice == "emergency":  # an emergency-type condition leading a non-emergency differential
        return "general_physician"
    return choice


def first_contact(evidence: Evidence) -> str:
    """The doctor a person sees first whatever the complaint: a pregnant woman her antenatal doctor, a child a
    paediatrician, anyone else a general physician; also when nothing in the message was recognised (a pregnant
    woman's tightenings told in words no finding stands for go to her gynecologist, not a general physician)."""
    if evidence.pregnant:
        return "gynecologist"
    if evidence.age is not None and evidence.age < CHILD_AGE:
        return "pediatrician"
    return "general_physician"
