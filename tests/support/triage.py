"""Test helpers (plain code): triage classifiers small enough to train in seconds, for the tests
of what surrounds the classifier (constraints, contract, drift, the traffic log)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.triage import Engine
from engine.triage.registry import Registry
from engine.triage.training import TrainingConfig


def small_config(**changes: Any) -> TrainingConfig:
    """A TrainingConfig with three boosting rounds (fast, deterministic) and ``changes``."""
    return TrainingConfig(**changes, params={**TrainingConfig().params, "num_boost_round": 3})


def engine_with_small_model(root: Path) -> Engine:
    """The real knowledge base with a small classifier trained and promoted into a private registry
    at ``root``."""
    registry = Registry(root)
    eng = Engine(registry=registry)
    registry.train(eng.kb, small_config(per_condition=15, validation_cases=300), promote=True)
    return eng
