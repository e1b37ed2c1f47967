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


def log_tables(kb: KnowledgeBase) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log P(s|c), log P(not s|c) and log P(not mentioned|c), computed once per knowledge base
    (three C x S logarithms per call were a third of a triage call with 450+ conditions)."""
    tables = getattr(kb, "_log_tables", None)
    if tables is None:
        p = kb.likelihood
        tables = (np.log(p), np.log1p(-p), np.log1p(-MENTION_RATE * p))
        kb._log_tables = tables
    return tables


def log_likelihood_terms(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """C x S matrix of each symptom's log-likelihood contribution (0 where it says nothing)."""
    present, negated = _masks(kb, evidence)
    log_yes, log_no, log_unmentioned = log_tables(kb)
    return np.where(present, log_yes, np.where(negated, log_no, log_unmentioned))


def log_scores(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """Unnormalised log posterior per condition (normalised evidence expected)."""
    return log_prior(kb, evidence) + log_likelihood_terms(kb, evidence).sum(axis=1)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
