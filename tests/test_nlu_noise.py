"""The generated spelling variants (saathi/nlu_noise.py) and the NLU held-out sets' hygiene.

No Rasa here: these run in a second. The figures on the sets come from tests/test_nlu_eval.py.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
import yaml
from conftest import ROOT

from saathi import nlu_noise
from saathi.nlu_eval import HELDOUT, HELDOUT_SETS, PUBLIC, WILD, load_items, print_report, score

NEW_TRAINING_FILES = ("as_typed.yml", "strong_words.yml", "variants.yml")


def _training_examples(name: str) -> list[tuple[str, str]]:
    data = yaml.safe_load((nlu_noise.NLU_DIR / name).read_text(encoding="utf-8"))
    return [(block["intent"], line.strip()[2:]) for block in data["nlu"]
            for line in block["examples"].splitlines() if line.strip().startswith("- ")]


#: An entity annotation in a Rasa example: "[Dhuri](place)" or "[Dhuri]{...}" is the text "Dhuri".
_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def _all_training_keys() -> set[str]:
    """Every training example of bot/data/nlu (hand-written and generated), annotations removed."""
    keys = set()
    for path in sorted(nlu_noise.NLU_DIR.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    keys.add(nlu_noise.phrase_key(_ANNOTATION.sub(r"\1", line.strip()[2:])))
    return keys


def _contract_intents() -> set[str]:
    # data/*.tsv hold the contract's codes (tests/test_contract_sync.py) and work without ../shared
    with (ROOT / "data" / "intents.tsv").open(encoding="utf-8") as f:
        return {row["intent"] for row in csv.DictReader(f, delimiter="\t")} - {"choose"}


def test_the_committed_variants_are_what_the_rules_give():
    """bot/data/nlu/variants.yml is derived data: stale means someone edited examples and forgot
    scripts/noise_nlu.py (the Rasa model would then train on variants of text that is gone)."""
    assert nlu_noise.OUTPUT.read_text(encoding="utf-8") == nlu_noise.render(nlu_noise.variants()), (
        "run: .venv/bin/python scripts/noise_nlu.py")


def test_variants_are_reproducible_and_keep_the_label():
    text = "mujhe 2 din se bahut dard hai, please batao"
    assert nlu_noise.variant(text, "report_symptom", "hi-Latn") == nlu_noise.variant(text, "report_symptom", "hi-Latn")
    generated = nlu_noise.variants()
    originals = {(intent, form): [t for i, f, t in nlu_noise.examples() if (i, f) == (intent, form)]
                 for intent, form in generated}
    assert all(originals[key] for key in generated), "every variant's intent and form comes from real examples"
    assert "reminder_times" not in {intent for intent, _ in generated}


@pytest.mark.parametrize(("text", "form", "gone", "kept"), [
    ("ਮੈਨੂੰ ਸ਼ੂਗਰ ਦੀ ਦਵਾਈ ਚਾਹੀਦੀ ਹੈ ਜ਼ਰੂਰੀ", "pa-Guru", "\u0a3c", "ਸ"),   # nukta goes, the letter stays
    ("मुझे ज़्यादा दर्द है क्या करूँ?", "hi-Deva", "?", "दर्द"),
])
def test_indic_variants_fold_what_phones_drop(text, form, gone, kept):
    seen = {nlu_noise.variant(text + " " * n, "report_symptom", form) for n in range(12)}
    assert any(gone not in v for v in seen) and all(kept in v or "dard" in v for v in seen), seen


def test_latin_variants_speak_sms():
    seen = {nlu_noise.variant(f"mujhe nahi pata kya karna hai please batao {n}", "help", "hi-Latn")
            for n in range(20)}
    assert any("nhi" in v or " ni " in v for v in seen) and any("plz" in v or "pls" in v for v in seen), seen
    assert all(v == v.lower() and "," not in v for v in seen)


@pytest.mark.parametrize("name", NEW_TRAINING_FILES)
def test_new_training_data_holds_no_held_out_message(name):
    held = nlu_noise.heldout_keys()
    leaked = [text for _, text in _training_examples(name) if nlu_noise.phrase_key(text) in held]
    assert not leaked, f"{len(leaked)} examples of {name} equal a held-out message"


def test_the_wild_set_is_a_proper_held_out_set():
    items = load_items(WILD)
    header = WILD.read_text(encoding="utf-8").splitlines()[:3]
    assert any("NEVER TRAIN" in line for line in header)
    intents = _contract_intents()
    with (ROOT / "data" / "symptoms.tsv").open(encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f, delimiter="\t")}
    for language in ("hi", "pa", "en"):
        mine = [item for item in items if item["language"] == language]
        assert len(mine) >= 30 and {item["intent"] for item in mine} == intents, language
    for item in items:
        assert set(item) == {"text", "intent", "language", "script", "symptoms"}, item
        assert item["script"] in {"Deva", "Guru", "Latn"} and set(item["symptoms"]) <= codes, item
    assert list(HELDOUT_SETS) == ["own", "wild", "public"]
    assert HELDOUT_SETS["own"] == HELDOUT == (ROOT / "tests" / "data" / "nlu_heldout.yml")


def test_the_public_set_is_other_peoples_and_never_trained_on():
    """tests/data/nlu_heldout_public.yml: messages other people wrote (each with its source), in
    every language, none of them equal to any training example of any file (hand-written or
    generated) or to a message of the other held-out sets, and the variants never equal one."""
    items = load_items(PUBLIC)
    header = PUBLIC.read_text(encoding="utf-8").splitlines()[:3]
    assert any("NEVER TRAIN" in line for line in header)
    assert len(items) >= 100
    for language in ("hi", "pa", "en"):
        assert sum(item["language"] == language for item in items) >= 30, language
    intents = _contract_intents()
    for item in items:
        assert set(item) == {"text", "intent", "language", "script", "source"}, item
        assert item["intent"] in intents and item["script"] in {"Deva", "Guru", "Latn"}, item
        assert item["source"].startswith(("github-index:", "https://")), item
    keys = [nlu_noise.phrase_key(item["text"]) for item in items]
    assert len(set(keys)) == len(keys), "a message twice"
    trained = sorted(set(keys) & _all_training_keys())
    assert not trained, f"public messages that are training examples: {trained}"
    others = {nlu_noise.phrase_key(item["text"]) for path in (HELDOUT, WILD) for item in load_items(path)}
    assert not set(keys) & others
    assert set(keys) <= nlu_noise.heldout_keys(), "the variants' generator must know the public set"


def test_the_report_counts_missed_and_false_emergencies():
    items = [{"text": t, "intent": i, "language": "hi", "symptoms": []} for t, i in
             (("a", "emergency"), ("b", "report_symptom"), ("c", "emergency"), ("d", "greet"))]
    parses = [{"intent": i, "language": "hi", "symptoms": []} for i in
              ("report_symptom", "emergency", "emergency", "greet")]
    s = score(items, parses)["hi"]
    assert (s.intent_correct, s.emergency_missed, s.false_emergency) == (2, 1, 1)
    assert s.symptom_labelled == 4
    assert s.confusion == {("emergency", "report_symptom"): 1, ("report_symptom", "emergency"): 1}
    by_rule = score(items[1:2], [{"intent": "emergency", "emergency": True, "language": "hi"}])["hi"]
    assert by_rule.confusion == {("report_symptom", "emergency[red flag]"): 1}
    out = io.StringIO()
    print_report({"hi": s}, out=out)
    printed = out.getvalue()
    assert "emergency→report_symptom 1" in printed and "report_symptom→emergency 1" in printed
    assert not any(f": {text}" in printed for text in "abcd"), "counts only: never a held-out text"


def test_a_set_without_symptom_labels_scores_no_symptoms():
    unlabelled = score([{"text": "a", "intent": "greet", "language": "pa"}],
                       [{"intent": "greet", "language": "pa", "symptoms": ["fever"]}])["pa"]
    assert (unlabelled.intent_correct, unlabelled.symptom_fp, unlabelled.symptom_labelled) == (1, 0, 0)
