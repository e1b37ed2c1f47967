"""The trained model on the held-out sets (written separately, never trained on) and the
``saathi nlu`` contract, both through the session's Rasa server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from saathi.nlu_eval import evaluate_sets, print_report

pytestmark = pytest.mark.rasa

MIN_INTENT_ACCURACY = 0.90
#: The wild set (tests/data/nlu_heldout_wild.yml: SMS-speak, misspellings, mixed scripts, ~35 a
#: language) is harder; its floor sits under the figure measured when it was added, not at it.
MIN_WILD_INTENT_ACCURACY = 0.90


@pytest.fixture(scope="module")
def reports(rasa_stack):
    result = evaluate_sets()
    for name, report in result.items():
        print_report(report, out=sys.stderr, title=name)
    return result


@pytest.fixture(scope="module")
def report(reports):
    return reports["own"]


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_wild_intent_accuracy_per_language(reports, language):
    wild = reports["wild"][language]
    assert wild.items >= 30
    assert wild.intent_accuracy >= MIN_WILD_INTENT_ACCURACY, wild.errors


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_public_set_is_measured_per_language(reports, language):
    """The public set (tests/data/nlu_heldout_public.yml: messages other people wrote) is reported,
    not gated: its figures are the closing note's, and a floor chosen from them would invite
    tuning on it."""
    public = reports["public"][language]
    assert public.items >= 30
    assert public.symptom_labelled == 0 and 0.0 <= public.intent_accuracy <= 1.0


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_intent_accuracy_per_language(report, language):
    assert report[language].items >= 200
    assert report[language].intent_accuracy >= MIN_INTENT_ACCURACY, report[language].errors[:20]


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_symptom_extraction_per_language(report, language):
    assert report[language].symptom_recall >= 0.85
    assert report[language].symptom_precision >= 0.85


def test_saathi_nlu_follows_the_contract(rasa_stack):
    lines = [
        {"text": "mujhe bukhar hai"}, {"text": "ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ"}, {"text": "I have a cough but no fever"},
        "not json", {"no_text": 1},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    env = {**os.environ, "RASA_URL": rasa_stack.base_url, "SAATHI_RASA_TOKEN": rasa_stack.token}
    # `python -m` from this tree (.venv/bin/saathi would import the editable install's copy)
    done = subprocess.run([sys.executable, "-m", "saathi.cli", "nlu"], input=stdin, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    fever, snake, cough, bad, missing = out
    assert set(fever) == {"language", "script", "intent", "confidence", "symptoms", "emergency", "entities"}
    assert (fever["language"], fever["script"], fever["intent"]) == ("hi", "Latn", "report_symptom")
    assert fever["symptoms"] == ["fever"] and fever["emergency"] is False
    assert 0 <= fever["confidence"] <= 1
    assert (snake["language"], snake["script"], snake["intent"], snake["emergency"]) == ("pa", "Guru", "emergency", True)
    assert cough["symptoms"] == ["cough"], "negated fever must not be reported"
    assert "error" in bad and "error" in missing
