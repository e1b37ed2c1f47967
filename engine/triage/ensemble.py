"""Calibrated combination of the knowledge-base scorer and the classifier.

Each model's log-probabilities are divided by a temperature fitted on held-out synthetic cases
(minimum negative log-likelihood), then the two distributions are mixed with a weight fitted the
same way. The classifier was trained on a balanced set, so its output is multiplied by the KB
prevalence before calibration to put both on the same prior.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine.triage.scorer import softmax

TEMPERATURES = tuple(float(t) for t in np.round(np.arange(0.5, 4.01, 0.25), 2))
WEIGHTS = tuple(float(w) for w in np.round(np.arange(0.0, 1.001, 0.1), 2))


@dataclass(frozen=True)
class Calibration:
    t_nb: float = 1.0
    t_xgb: float = 1.0
    weight_nb: float = 0.5

    def as_dict(self) -> dict:
        return asdict(self)


def xgb_logits(p_balanced: np.ndarray, prevalence: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p_balanced, 1e-9, None)) + np.log(prevalence)


def combine(nb_logits: np.ndarray, xgb_log: np.ndarray | None, calibration: Calibration) -> np.ndarray:
    """The differential's probabilities; without a classifier the KB scorer stands alone."""
    p_nb = softmax(nb_logits, calibration.t_nb)
    if xgb_log is None:
        return p_nb
    p_xgb = softmax(xgb_log, calibration.t_xgb)
    w = calibration.weight_nb
    return w * p_nb + (1 - w) * p_xgb


def nll(p: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None))))


def fit(nb_logits: np.ndarray, xgb_log: np.ndarray, labels: np.ndarray) -> Calibration:
    t_nb = min(TEMPERATURES, key=lambda t: nll(softmax(nb_logits, t), labels))
    t_xgb = min(TEMPERATURES, key=lambda t: nll(softmax(xgb_log, t), labels))
    p_nb, p_xgb = softmax(nb_logits, t_nb), softmax(xgb_log, t_xgb)
    weight = min(WEIGHTS, key=lambda w: nll(w * p_nb + (1 - w) * p_xgb, labels))
    return Calibration(t_nb, t_xgb, weight)


def top_k_accuracy(p: np.ndarray, labels: np.ndarray, k: int) -> float:
    top = np.argsort(-p, axis=1)[:, :k]
    return float(np.mean([label in row for label, row in zip(labels, top, strict=True)]))


def expected_calibration_error(p: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Gap between confidence and accuracy of the top prediction, averaged over confidence bins."""
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(total)
