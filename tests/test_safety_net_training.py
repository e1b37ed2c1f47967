"""The emergency safety net: the trainer reproduces the shipped model, its held-out figures, its
splits, and that it can only raise urgency in the triage engine (``nlu.safety_net``).

The inference itself is tested under both interpreters in tests/nlu_unit/test_nlu_safety_net.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.triage import Engine, urgency
from engine.triage import safety_net_training as training
from engine.triage.kb import URGENCY_LEVELS
from nlu import safety_net
from nlu.text import phrase_key
from tests.support.red_flags import net_only

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def retrained():
    return training.train()


@pytest.fixture(scope="module")
def corpus():
    return training.load_corpus()


def test_trainer_reproduces_the_shipped_weights(retrained):
    assert training.same_model(retrained, training.shipped()), "retrain differs: run scripts/train_safety_net.py"
    meta = training.shipped()[0]
    assert meta["training"]["corpus_sha256"] == training.corpus_digest()
    assert (safety_net.WEIGHTS_PATH.stat().st_size + safety_net.META_PATH.stat().st_size) < 2_000_000


def test_held_out_figures(retrained):
    """Thresholds come from the calibration split; the untouched test split shows what they cost."""
    heldout = retrained[0]["heldout"]
    cal, test = heldout["calibration"], heldout["test"]
    # the rule: a smoothed tail quantile of the calibration non-emergencies, not their single maximum
    cut = retrained[0]["thresholds"]["emergency_cut"]
    assert retrained[0]["thresholds"]["emergency"] == pytest.approx(max(cut["cut"], 0.5), abs=2e-6)
    assert cut["bootstrap_p05"] <= cut["cut"] <= cut["bootstrap_p95"]
    assert cal["emergency"]["fpr"] <= 0.02 and cal["routine_lifted"]["lifted"] == 0
    assert test["emergency"]["fpr"] <= 0.02
    assert test["routine_lifted"]["lifted"] <= 0.02 * test["routine_lifted"]["routine"]
    assert test["emergency"]["recall"] >= 0.2 and test["emergency"]["caught"] >= 28  # 28/92 before issue-13 retune
    assert test["emergency"]["false_alarms"] <= 2
    assert test["urgent"]["recall"] >= test["emergency"]["recall"]
    assert test["emergency"]["emergencies"] >= 80 and test["emergency"]["non_emergencies"] >= 80


def test_splits_are_by_group_and_derived_data_only_trains(corpus):
    split_of: dict[str, set[str]] = {}
    for example in corpus:
        split_of.setdefault(example.group, set()).add(example.split)
    assert all(len(splits) == 1 for splits in split_of.values())
    assert all(splits == {"train"} for group, splits in split_of.items() if group.startswith(training.DERIVED_PREFIXES))
    seen = {phrase_key(e.text) for e in corpus if e.split == "train"}
    leaked = [e.text for e in corpus if e.split != "train" and phrase_key(e.text) in seen]
    assert not leaked, leaked


def test_evaluation_sets_are_not_in_the_corpus(corpus):
    """Nothing from tests/data (our own and the outside evaluation sets) may be trained on.

    Rows copied from bot/data/nlu are exempt: the bot's own NLU data already shares 210 mostly
    short sentences ("namaste ji") with tests/data/nlu_heldout.yml; figures on that set are
    reported on the items the corpus does not contain.
    """
    import yaml

    texts = {phrase_key(e.text) for e in corpus if not e.group.startswith("nlu:")}
    found = []
    for path in sorted((ROOT / "tests" / "data").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        items = data.get("vignettes", []) if isinstance(data, dict) else data
        found += [item["text"] for item in items if isinstance(item, dict) and phrase_key(item.get("text") or "") in texts]
    assert not found, found


@pytest.mark.parametrize("level", URGENCY_LEVELS)
@pytest.mark.parametrize("net", [None, "urgent", "emergency"])
def test_the_urgent_tier_never_lowers(level, net):
    raised = urgency.raise_for_safety_net(level, net)
    assert URGENCY_LEVELS.index(raised) >= URGENCY_LEVELS.index(level)
    assert raised == ("urgent" if level == "routine" and net else level)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_classifier=False)


def test_engine_urgent_tier_lifts_routine_and_says_why(engine, monkeypatch):
    text = "mild headache after working on the computer"
    assert engine.triage(text).urgency == "routine" and "safety_net" not in engine.triage(text).extra
    monkeypatch.setattr(safety_net, "level", lambda t: "urgent")
    result = engine.triage(text, language="en")
    assert result.urgency == "urgent"
    assert "Safety-net text classifier" in result.extra["safety_net"]
    assert "resembles serious illness" in result.explanation
    assert not result.red_flags  # the urgent tier is not a red flag


def test_engine_emergency_tier_is_a_red_flag(engine):
    result = engine.triage(net_only(), language="hi")
    assert result.urgency == "emergency" and "safety_net" in result.red_flags
    assert any("Safety-net text classifier" in reason for reason in result.red_flag_reasons)
    assert result.specialist == "emergency"


def test_engine_without_the_net_is_unchanged_for_an_emergency_rule(engine, monkeypatch):
    monkeypatch.setattr(safety_net, "level", lambda t: None)
    result = engine.triage("he drank pesticide", language="en")
    assert result.urgency == "emergency" and "safety_net" not in result.red_flags
