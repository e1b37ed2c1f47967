"""Model versions: training is cached by input hash, promotion switches serving, rollback restores it."""

from __future__ import annotations

import numpy as np
import pytest

from engine.triage import Engine
from engine.triage.model import features, predict
from engine.triage.registry import Registry, RegistryError
from engine.triage.training import TrainingConfig


def _config(rounds: int, seed: int = 7) -> TrainingConfig:
    return TrainingConfig(per_condition=12, validation_cases=200, seed=seed,
                          params={**TrainingConfig().params, "num_boost_round": rounds})


def _probabilities(registry: Registry) -> np.ndarray:
    """What the serving engine outputs for one case: the classifier's and the ensemble's view."""
    engine = Engine(registry=registry)
    evidence = engine.evidence(None, ["fever", "headache", "body_ache"], [], 30, "m", None, None, None)
    classifier = predict(engine.model.booster, features(engine.kb, evidence))[0]
    return np.concatenate([classifier, engine.probabilities(evidence)])


def test_rollback_restores_previous_behaviour(tmp_path):
    registry = Registry(tmp_path)
    engine = Engine(registry=registry)
    v1 = registry.train(engine.kb, _config(2), promote=True)
    before = _probabilities(registry)
    v2 = registry.train(engine.kb, _config(4, seed=8), promote=True)
    assert v2 != v1 and registry.promoted() == v2
    after = _probabilities(registry)
    assert not np.allclose(before, after)
    assert registry.rollback() == v1
    assert registry.promoted() == v1
    np.testing.assert_allclose(_probabilities(registry), before)


def test_same_inputs_reuse_the_stored_version(tmp_path):
    registry = Registry(tmp_path)
    kb = Engine(registry=registry).kb
    first = registry.train(kb, _config(2))
    assert registry.train(kb, _config(2)) == first
    assert len(registry.versions()) == 1
    meta = registry.versions()[0]
    assert meta["input_hash"].startswith(first) and meta["kb_digest"] == kb.digest
    assert {"kb_scorer", "classifier", "ensemble"} <= set(meta["metrics"])


def test_rollback_and_promote_need_a_known_version(tmp_path):
    registry = Registry(tmp_path)
    with pytest.raises(RegistryError):
        registry.rollback()
    with pytest.raises(RegistryError):
        registry.promote("nope")


def test_training_is_deterministic(tmp_path):
    kb = Engine(registry=Registry(tmp_path / "a")).kb
    first, second = Registry(tmp_path / "a"), Registry(tmp_path / "b")
    assert first.train(kb, _config(2)) == second.train(kb, _config(2))
    np.testing.assert_array_equal(_probabilities_of(first, promote=True), _probabilities_of(second, promote=True))
    meta_a, meta_b = first.versions()[0], second.versions()[0]
    assert meta_a["training_data_hash"] == meta_b["training_data_hash"]


def _probabilities_of(registry: Registry, promote: bool) -> np.ndarray:
    if promote:
        registry.promote(registry.versions()[0]["version"])
    return _probabilities(registry)
