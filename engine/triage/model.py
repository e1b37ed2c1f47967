"""The gradient-boosted classifier: features, training and prediction (no storage, no calibration).

Features per case: one column per symptom (+1 reported, -1 denied, 0 unknown), then age in years,
sex (1 = female, 0 = male), pregnant (1/0) and log(1 + duration in days), NaN when unknown so
XGBoost learns its own default direction for missing values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from engine.triage.evidence import Evidence
from engine.triage.kb import KnowledgeBase

if TYPE_CHECKING:  # XGBoost (which imports scikit-learn, SciPy and pandas: ~1.2 s of CPU) is imported
    import xgboost as xgb  # where a booster is made or read: every gateway start imports engine.triage

EXTRA_FEATURES = ("age", "sex_f", "pregnant", "log_duration")
DEFAULT_PARAMS: dict = {
    "objective": "multi:softprob",
    "tree_method": "hist",
    "max_depth": 4,
    "eta": 0.3,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 1.0,
    "lambda": 1.0,
    "max_bin": 32,
    # One thread: on a shared 2-core machine OpenMP workers spin against each other and a
    # 2-thread fit ran 10x slower than a 1-thread one.
    "nthread": 1,
    "num_boost_round": 25,
}


def features(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    row = np.zeros(len(kb.symptoms) + len(EXTRA_FEATURES), dtype=np.float32)
    for code in evidence.present:
        row[kb.symptom_index[code]] = 1.0
    for code in evidence.negated:
        row[kb.symptom_index[code]] = -1.0
    base = len(kb.symptoms)
    row[base] = np.nan if evidence.age is None else evidence.age
    row[base + 1] = np.nan if evidence.sex is None else float(evidence.sex == "f")
    row[base + 2] = np.nan if evidence.pregnant is None else float(evidence.pregnant)
    row[base + 3] = np.nan if evidence.duration_days is None else np.log1p(evidence.duration_days)
    return row


def feature_matrix(kb: KnowledgeBase, cases: Sequence[Evidence]) -> np.ndarray:
    return np.vstack([features(kb, case) for case in cases])


def train_booster(x: np.ndarray, y: np.ndarray, n_classes: int, params: dict, seed: int) -> xgb.Booster:
    import xgboost as xgb

    booster_params = {k: v for k, v in params.items() if k != "num_boost_round"}
    booster_params.update({"num_class": n_classes, "seed": seed, "verbosity": 0})
    dtrain = xgb.DMatrix(x, label=y, missing=np.nan)
    return xgb.train(booster_params, dtrain, num_boost_round=int(params["num_boost_round"]))


def predict(booster: xgb.Booster, x: np.ndarray) -> np.ndarray:
    """Class probabilities under the balanced training prior, rows = cases."""
    x = np.atleast_2d(x).astype(np.float32)
    return booster.inplace_predict(x, missing=np.nan).reshape(len(x), -1)
