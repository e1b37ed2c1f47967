"""The held-out clinical vignettes (independent evaluator): the release thresholds.

Fails on any missed or under-triaged emergency, urgency accuracy below 85 % or top-3 below 75 %.
"""

from __future__ import annotations

import pytest

from engine.triage import default_engine
from engine.triage.evaluate import DEFAULT_VIGNETTES, evaluate, load_vignettes


@pytest.fixture(scope="module")
def summary() -> dict:
    if not DEFAULT_VIGNETTES.exists():
        pytest.skip("tests/data/triage_vignettes.yml not present")
    return evaluate(default_engine(), load_vignettes()).summary()


def test_no_emergency_missed(summary):
    assert summary["emergency_recall"] == 1.0, summary
    assert summary["under_triaged_emergencies"] == 0, summary


def test_urgency_accuracy(summary):
    assert summary["urgency_accuracy"] >= 0.85, summary


def test_top3_accuracy(summary):
    assert summary["top3_accuracy"] >= 0.75, summary
