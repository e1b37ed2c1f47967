"""The transparent knowledge-base scorer: naive Bayes over reported, denied and unmentioned symptoms.

A patient mentions only some of their symptoms, so an unmentioned symptom is weak evidence of
absence: P(not mentioned | c) = 1 - MENTION_RATE * P(s | c). A denied symptom (the dialogue asked)
is full evidence: 1 - P(s | c). Every term is a per-symptom log-likelihood the explanation can
quote, which is why this scorer, not the classifier, explains the differential.
"""

from __future__ import annotations

import numpy as np

from engine.triage.evidence import Evidence, log_prior
from engine.triage.kb import KnowledgeBase

MENTION_RATE = 0.25


def _masks(kb: KnowledgeBase, evidence: Evidence) -> tuple[np.ndarray, np.ndarray]:
    present = np.zeros(len(kb.symptoms), dtype=bool)
    negated = np.zeros(len(kb.symptoms), dtype=bool)
    present[[kb.symptom_index[c] for c in evidence.present]] = True
    negated[[kb.symptom_index[c] for c in evidence.negated]] = True
    return present, negated


def log_likelihood_terms(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """C x S matrix of each symptom's log-likelihood contribution (0 where it says nothing)."""
    present, negated = _masks(kb, evidence)
    p = kb.likelihood
    unknown = ~(present | negated)
    terms = np.zeros_like(p)
    terms[:, present] = np.log(p[:, present])
    terms[:, negated] = np.log1p(-p[:, negated])
    terms[:, unknown] = np.log1p(-MENTION_RATE * p[:, unknown])
    return terms


def log_scores(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """Unnormalised log posterior per condition (normalised evidence expected)."""
    return log_prior(kb, evidence) + log_likelihood_terms(kb, evidence).sum(axis=1)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def posterior(kb: KnowledgeBase, evidence: Evidence, temperature: float = 1.0) -> np.ndarray:
    return softmax(log_scores(kb, evidence), temperature)
