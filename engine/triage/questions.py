"""Which symptom to ask about next: the one whose yes/no answer most reduces uncertainty.

For each unasked symptom s, P(yes) = sum_c P(c) P(s|c); the answer replaces the scorer's weak
"not mentioned" term for s by the full "present" or "denied" term, giving two posteriors. The
expected information gain is H(now) - [P(yes) H(yes) + P(no) H(no)]. Done over the KB scorer
only: it is exact, vectorised over all symptoms at once, and well under a millisecond.

A clinician first rules dangers in or out: "headache and fever" asks about a stiff neck before a
sore throat. So the gain about the conditions is added to ``DANGER_WEIGHT`` times the value of the
answer for the urgency decision: with P = the emergency conditions' total probability, sending
home costs ``UNDER_COST`` x P and sending to hospital 1 - P (the costs behind
``urgency.EMERGENCY_MASS``); a finding is worth asking when its answer can change that decision,
by the expected drop of min(UNDER_COST x P, 1 - P). Findings that cannot move P across the line are
worth nothing here, however rare the danger.

The conditions that matter are the ones that explain the complaint: those that list at least one
reported finding. The others hold their share only through the leak (the chance of a finding a
condition does not list), and with 500+ conditions that share is large: a child with a squint left
60 % spread over worms, colds and scabies, and the best split of it was "itching?". So the
information counted is about which explaining condition it is, with every other condition pooled
into one "something else" outcome: a question still gains by moving mass between the two, never by
sorting the non-explaining ones among themselves.
"""

from __future__ import annotations

import numpy as np

from engine.triage import priors
from engine.triage.evidence import Evidence, log_prior
from engine.triage.kb import KnowledgeBase
from engine.triage.scorer import MENTION_RATE, log_likelihood_terms, log_tables, softmax

#: Never asked: events the patient would have said (bite, poison, burn), states a question
#: cannot establish (unconscious), and context the intake form asks itself (pregnancy).
NOT_ASKED = frozenset(
    {
        "unconsciousness",
        "pregnant",
        "snake_bite",
        "animal_bite",
        "poisoning",
        "burn",
        "injury",
        "head_injury",
        "insect_sting",
        "scorpion_sting",
        "drowning",
        "choking",
        "foreign_body",
        "eye_injury",
    }
)
#: Findings a reported one already answers: its name says how it began ("sudden loss of sight" began
#: suddenly), so asking "did it start suddenly?" after it would only repeat the patient's words.
ANSWERED_BY = {"sudden_onset": frozenset({"severe_headache", "sudden_vision_loss", "sudden_racing_heart"})}
#: Sex-specific questions are only asked of the matching sex.
FEMALE_ONLY = frozenset(
    {
        "vaginal_bleeding",
        "vaginal_discharge",
        "missed_period",
        "heavy_periods",
        "menstrual_pain",
        "reduced_fetal_movement",
        "irregular_periods",
        "vaginal_lump",
        "facial_hair",
        "recent_delivery",
        "labour_pains",
        "water_leak",
        "postcoital_bleeding",
        "bleeding_after_menopause",
    }
)
MALE_ONLY = frozenset({"penile_discharge", "erection_problem", "testicular_pain"})
#: Asked about children only (development, bedwetting, a baby's crying or navel).
CHILD_ONLY = frozenset(
    {"developmental_delay", "bedwetting", "excessive_crying", "umbilical_redness", "hyperactivity"}
)
CHILD_AGE = 13
MIN_GAIN = 0.01  # bits; below this a question is not worth the user's time
#: Missing an emergency against sending a non-emergency to hospital (urgency.EMERGENCY_MASS = 1/(1+3)).
UNDER_COST = 3.0
#: Bits of condition information one unit of averted urgency loss is worth.
DANGER_WEIGHT = 10.0
#: Bits one unit of averted urgency loss is worth when the explaining dangers are put at the line
#: (``screening_value``): the must-not-miss questions of the complaint.
SCREEN_WEIGHT = 3.0


def _urgency_loss(p_emergency: np.ndarray) -> np.ndarray:
    """Expected cost of the better urgency decision when the emergency conditions hold ``p_emergency``."""
    return np.minimum(UNDER_COST * p_emergency, 1.0 - p_emergency)


def _entropy(p: np.ndarray, axis: int = -1) -> np.ndarray:
    return -(p * np.log2(np.clip(p, 1e-12, None))).sum(axis=axis)


def explaining(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """One bool per condition: it lists at least one reported finding (all, when none does or nothing
    was reported)."""
    columns = [kb.symptom_index[code] for code in evidence.present if code in kb.symptom_index]
    if not columns:
        return np.ones(len(kb), dtype=bool)
    mask = kb.listed[:, columns].any(axis=1)
    return mask if mask.any() else np.ones(len(kb), dtype=bool)


def hidden_likelihood(kb: KnowledgeBase) -> np.ndarray:
    """C x S: P(finding | condition, not mentioned) = p (1 - r) / (1 - r p), r = ``MENTION_RATE``.

    The chance of a yes is asked about a finding the person has not mentioned, and the scorer has
    already counted that silence as weak evidence against it. Taken as the bare P(finding | condition),
    as it once was, the chance of a yes was too high for every finding, most for the common ones, so
    the two answers' posteriors no longer averaged back to the present one: the expected emergency
    mass after a danger question fell below the present mass and the urgency term came out negative
    for exactly the questions that rule a danger in or out (a headache: stiff neck -0.03, sudden start
    -0.01), and a headache asked about a sudden start 42nd. With this likelihood the answers' posteriors
    average to the present one, and a concave loss can only gain from asking."""
    hidden = getattr(kb, "_hidden_likelihood", None)
    if hidden is None:
        p = kb.likelihood
        hidden = p * (1.0 - MENTION_RATE) / (1.0 - MENTION_RATE * p)
        kb._hidden_likelihood = hidden
    return hidden


def screening_value(kb: KnowledgeBase, now: np.ndarray, dangers: np.ndarray) -> np.ndarray:
    """Per finding: how well its answer would settle "one of these dangers or not" if they stood at the
    urgency line, their own shares and everything else's kept (0 when no danger explains the complaint).

    The urgency term above is myopic: a loss that is linear below the line gains nothing from an answer
    that leaves the emergency mass below it, so a danger that explains the complaint but is rare (a
    headache's meningitis 0.8 %, subarachnoid haemorrhage 0.1 %) was never worth a question, however
    well one finding would rule it in or out, until other answers had already raised it. A clinician
    does the opposite: with every complaint he asks what rules out the serious disorders that must not
    be missed (Murtagh's General Practice, 7th ed., ch. 'A safe diagnostic strategy'). Evaluated at
    the line this is the finding's power to tell those dangers from the rest, independent of how rare
    they are now."""
    total = now[dangers].sum()
    if not dangers.any() or total <= 0 or total >= 1:
        return np.zeros(kb.likelihood.shape[1])
    line = 1.0 / (1.0 + UNDER_COST)
    weights = np.where(dangers, now * line / total, now * (1.0 - line) / (1.0 - total))
    hidden = hidden_likelihood(kb)
    p_yes = np.clip(weights @ hidden, 1e-12, 1 - 1e-12)
    danger_yes = weights[dangers] @ hidden[dangers] / p_yes
    danger_no = weights[dangers] @ (1.0 - hidden[dangers]) / (1.0 - p_yes)
    return _urgency_loss(line) - (
        p_yes * _urgency_loss(danger_yes) + (1.0 - p_yes) * _urgency_loss(danger_no)
    )


def _pooled_entropy(p: np.ndarray, leading: np.ndarray) -> np.ndarray:
    """Entropy over the leading conditions plus one pooled outcome for all the others (last axis)."""
    rest = p[..., ~leading].sum(axis=-1)
    return _entropy(p[..., leading]) - rest * np.log2(np.clip(rest, 1e-12, None))


def information_gains(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """Expected gain in bits for every symptom column (NaN for symptoms that are not candidates)."""
    logits = log_prior(kb, evidence) + log_likelihood_terms(kb, evidence).sum(axis=1)
    season = priors.factors(kb, evidence.month, priors.Where(evidence.state, evidence.district))
    if season is not None:  # the leading conditions of this month and place decide what to ask
        logits = logits + np.log(season)
    now = softmax(logits)
    log_yes, log_no, unmentioned = log_tables(kb)
    yes_logits = logits[:, None] + log_yes - unmentioned  # C x S
    no_logits = logits[:, None] + log_no - unmentioned
    p_yes = now @ hidden_likelihood(kb)  # S: the finding is there although the person did not say it
    post_yes = softmax(yes_logits.T)
    post_no = softmax(no_logits.T)
    leading = explaining(kb, evidence)
    gain = _pooled_entropy(now, leading) - (
        p_yes * _pooled_entropy(post_yes, leading) + (1 - p_yes) * _pooled_entropy(post_no, leading)
    )
    danger = kb.emergency_mask
    if danger.any():
        before = _urgency_loss(now[danger].sum())
        after = p_yes * _urgency_loss(post_yes[:, danger].sum(axis=1)) + (1 - p_yes) * _urgency_loss(
            post_no[:, danger].sum(axis=1)
        )
        gain = (
            gain
            + DANGER_WEIGHT * (before - after)
            + SCREEN_WEIGHT * screening_value(kb, now, danger & leading)
        )
    asked = set(evidence.present) | set(evidence.negated) | NOT_ASKED
    asked |= {code for code, answers in ANSWERED_BY.items() if answers & set(evidence.present)}
    if evidence.sex == "m" or (evidence.age is not None and evidence.age < 10):
        asked |= FEMALE_ONLY
    if evidence.sex == "f" or (evidence.age is not None and evidence.age < 10):
        asked |= MALE_ONLY
    if evidence.age is not None and evidence.age >= CHILD_AGE:
        asked |= CHILD_ONLY
    for code in asked:
        j = kb.symptom_index.get(code)
        if j is not None:
            gain[j] = np.nan
    return gain


def best_question(kb: KnowledgeBase, evidence: Evidence) -> str | None:
    gains = information_gains(kb, evidence)
    if np.all(np.isnan(gains)):
        return None
    j = int(np.nanargmax(gains))
    return kb.symptoms[j] if gains[j] >= MIN_GAIN else None
