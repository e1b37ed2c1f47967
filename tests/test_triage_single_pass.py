"""One knowledge-base scorer pass per triage call (issue #16, hot path).

``Engine.triage`` used to score the evidence twice: once inside the ranking mix and once more for the
urgency distribution. It now scores once and hands the same log posterior to both. These tests pin
that the answer is exactly what the two separate passes gave, on every vignette of the own sets.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from config.paths import ROOT
from engine.triage import Engine
from engine.triage import engine as engine_module
from tests.support.triage import engine_with_small_model

OWN_SETS = ("tests/data/triage_vignettes.yml", "tests/data/triage_wide.yml")


class TwoPasses(Engine):
    """The behaviour before the change: each distribution runs its own scorer pass."""

    def probabilities(self, evidence, scores=None):
        return super().probabilities(evidence)

    def urgency_probabilities(self, evidence, scores=None):
        return super().urgency_probabilities(evidence)


def own_vignettes() -> list[dict]:
    return [v for path in OWN_SETS for v in yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> tuple[Engine, Engine]:
    one = engine_with_small_model(tmp_path_factory.mktemp("triage-models"))
    two = TwoPasses(kb=one.kb, registry=one.registry)
    assert one.model is not None and two.model is not None
    return one, two


def test_both_distributions_equal_their_own_pass_on_every_own_vignette(engines):
    one, _ = engines
    vignettes = own_vignettes()
    assert len(vignettes) > 400
    for v in vignettes:
        ev = one.evidence(v["text"], None, None, v.get("age"), v.get("sex"), v.get("pregnant"), None, None)
        if not ev.present:
            continue
        shared = one.scores(ev)
        assert np.array_equal(one.probabilities(ev, shared), one.probabilities(ev)), v["id"]
        assert np.array_equal(one.urgency_probabilities(ev, shared), one.urgency_probabilities(ev)), v["id"]


def test_triage_scores_once_and_answers_as_two_passes_did(engines, monkeypatch):
    one, two = engines
    calls = []
    real = engine_module.log_scores

    def counting(kb, evidence):
        calls.append(1)
        return real(kb, evidence)

    monkeypatch.setattr(engine_module, "log_scores", counting)
    for v in own_vignettes()[::8]:
        kwargs = {"age": v.get("age"), "sex": v.get("sex"), "pregnant": v.get("pregnant"), "language": v.get("language")}
        calls.clear()
        new = one.triage(v["text"], **kwargs)
        assert len(calls) <= 1, v["id"]
        old = two.triage(v["text"], **kwargs)
        assert new.to_contract() == old.to_contract(), v["id"]
        assert (new.urgency, new.watch, new.extra) == (old.urgency, old.watch, old.extra), v["id"]
        assert [c.probability for c in new.conditions] == [c.probability for c in old.conditions], v["id"]
