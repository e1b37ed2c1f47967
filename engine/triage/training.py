"""Train one model version: sample cases, fit the classifier, calibrate the ensemble, measure it.

Everything a version depends on (knowledge-base digest, classifier parameters, sampler settings,
sizes, seed and this module's ``TRAINING_VERSION``) goes into ``input_hash``; the registry names
versions by it, so identical inputs are never trained twice and any change yields a new version.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.triage import ensemble
from engine.triage.evidence import normalise
from engine.triage.kb import KnowledgeBase
from engine.triage.model import DEFAULT_PARAMS, feature_matrix, predict, train_booster

if TYPE_CHECKING:
    import xgboost as xgb
from engine.triage.sampler import SamplerSettings, sample_cases
from engine.triage.scorer import MENTION_RATE, log_scores

TRAINING_VERSION = 3
DEFAULT_SEED = 20261126
#: Rows of the balanced training set when ``per_condition`` is not fixed: each condition gets
#: ROW_BUDGET // conditions cases (at least MIN_PER_CONDITION). A multi-class booster builds one tree
#: per class per round over all rows, so a fixed per-condition count made training time grow with the
#: square of the knowledge base (158 conditions: ~1 min; 413: ~15 min on the shared 2-core machine);
#: a fixed budget keeps it linear (413 conditions: ~5 min there) for about one point less top-3.
ROW_BUDGET = 16_000
MIN_PER_CONDITION = 20


@dataclass(frozen=True)
class TrainingConfig:
    params: dict = field(default_factory=lambda: dict(DEFAULT_PARAMS))
    sampler: SamplerSettings = field(default_factory=SamplerSettings)
    per_condition: int | None = None  # None: ROW_BUDGET spread over the conditions
    validation_cases: int = 2000
    seed: int = DEFAULT_SEED

    def as_dict(self) -> dict:
        return {
            "params": self.params,
            "sampler": self.sampler.as_dict(),
            "per_condition": self.per_condition,
            "row_budget": ROW_BUDGET if self.per_condition is None else None,
            "validation_cases": self.validation_cases,
            "seed": self.seed,
            "training_version": TRAINING_VERSION,
            "scorer_mention_rate": MENTION_RATE,  # the calibration is fitted to the scorer as it is
        }


def cases_per_condition(kb: KnowledgeBase, config: TrainingConfig) -> int:
    """Balanced training cases per condition: the fixed count, or the row budget shared out."""
    if config.per_condition is not None:
        return config.per_condition
    return max(MIN_PER_CONDITION, ROW_BUDGET // max(len(kb), 1))


def input_hash(kb: KnowledgeBase, config: TrainingConfig) -> str:
    blob = json.dumps({"kb": kb.digest, "config": config.as_dict()}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


@dataclass
class TrainedModel:
    booster: xgb.Booster
    calibration: ensemble.Calibration
    meta: dict

    @property
    def version(self) -> str:
        return self.meta["version"]


def nb_logit_matrix(kb: KnowledgeBase, cases) -> np.ndarray:
    return np.vstack([log_scores(kb, normalise(kb, case)) for case in cases])


def validation_metrics(nb: np.ndarray, xg: np.ndarray, calibration, labels: np.ndarray) -> dict:
    """The same three views of a model on its validation cases, for every trained version."""
    return {
        "validation_cases": len(labels),
        "kb_scorer": _metrics(ensemble.combine(nb, None, calibration), labels),
        "classifier": _metrics(ensemble.softmax(xg, calibration.t_xgb), labels),
        "ensemble": _metrics(ensemble.combine(nb, xg, calibration), labels),
    }


def _metrics(p: np.ndarray, labels: np.ndarray) -> dict:
    return {
        "top1": round(ensemble.top_k_accuracy(p, labels, 1), 4),
        "top3": round(ensemble.top_k_accuracy(p, labels, 3), 4),
        "nll": round(ensemble.nll(p, labels), 4),
        "ece": round(ensemble.expected_calibration_error(p, labels), 4),
    }


def train(kb: KnowledgeBase, config: TrainingConfig | None = None) -> TrainedModel:
    """Deterministic for a given (kb, config): same seed, same sampled cases, same trees."""
    config = config or TrainingConfig()
    started = time.perf_counter()
    cases, labels = sample_cases(kb, cases_per_condition(kb, config), config.seed, config.sampler)
    val_cases, val_labels = sample_cases(
        kb, config.validation_cases, config.seed + 1, config.sampler, by_prevalence=True
    )
    return fit(kb, config, (feature_matrix(kb, cases), labels), (val_cases, val_labels), input_hash(kb, config),
               started)


def fit(kb: KnowledgeBase, config: TrainingConfig, training: tuple[np.ndarray, np.ndarray],
        validation: tuple[list, np.ndarray], digest: str, started: float, **extra_meta: object) -> TrainedModel:
    """The end every training run shares (here and engine.triage.retrain): boost on the ``training``
    (features, labels), fit the ensemble's calibration on the ``validation`` (cases, labels) and
    describe the model; ``digest`` names its inputs and becomes the version."""
    x, labels = training
    val_cases, val_labels = validation
    booster = train_booster(x, labels, len(kb), config.params, config.seed)
    nb = nb_logit_matrix(kb, val_cases)
    xg = ensemble.xgb_logits(predict(booster, feature_matrix(kb, val_cases)), kb.prevalence)
    calibration = ensemble.fit(nb, xg, val_labels)
    meta = {
        "version": digest[:12],
        "input_hash": digest,
        "kb_digest": kb.digest,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": config.as_dict(),
        "conditions": [c.id for c in kb.conditions],
        "symptoms": kb.symptoms,
        "calibration": calibration.as_dict(),
        "training_cases": len(x),
        **extra_meta,
        "training_data_hash": hashlib.sha256(x.tobytes() + labels.astype("int32").tobytes()).hexdigest(),
        "train_seconds": None,
        "metrics": validation_metrics(nb, xg, calibration, val_labels),
    }
    meta["train_seconds"] = round(time.perf_counter() - started, 2)
    return TrainedModel(booster, calibration, meta)
