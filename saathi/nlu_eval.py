"""NLU evaluation on the held-out set: per-language intent accuracy and symptom precision/recall.

The held-out set (``tests/data/nlu_heldout.yml``) was written separately from the training data
and is never trained on. Each item: ``text, intent, language, script, symptoms``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.paths import ROOT

HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"


@dataclass
class LanguageScore:
    items: int = 0
    intent_correct: int = 0
    language_correct: int = 0
    symptom_tp: int = 0
    symptom_fp: int = 0
    symptom_fn: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.items if self.items else 0.0

    @property
    def language_accuracy(self) -> float:
        return self.language_correct / self.items if self.items else 0.0

    @property
    def symptom_precision(self) -> float:
        found = self.symptom_tp + self.symptom_fp
        return self.symptom_tp / found if found else 1.0

    @property
    def symptom_recall(self) -> float:
        gold = self.symptom_tp + self.symptom_fn
        return self.symptom_tp / gold if gold else 1.0


def load_items(path: str | Path | None = None) -> list[dict[str, Any]]:
    return yaml.safe_load(Path(path or HELDOUT).read_text(encoding="utf-8"))


def score(items: list[dict[str, Any]], parses: list[dict[str, Any]]) -> dict[str, LanguageScore]:
    """Scores contract-shaped parses (see ``saathi.commands.nlu.to_contract``) against gold items."""
    report: dict[str, LanguageScore] = defaultdict(LanguageScore)
    for item, parse in zip(items, parses, strict=True):
        s = report[item["language"]]
        s.items += 1
        # The red-flag layer deliberately overrides the intent to `emergency`: a true emergency
        # read that way is right; anything else must match the gold intent.
        if parse["intent"] == item["intent"]:
            s.intent_correct += 1
        else:
            s.errors.append((item["text"], item["intent"], str(parse["intent"])))
        s.language_correct += parse["language"] == item["language"]
        gold, found = set(item.get("symptoms") or []), set(parse.get("symptoms") or [])
        s.symptom_tp += len(gold & found)
        s.symptom_fp += len(found - gold)
        s.symptom_fn += len(gold - found)
    return dict(report)


def evaluate(path: str | Path | None = None) -> dict[str, LanguageScore]:
    from saathi.commands.nlu import to_contract
    from saathi.rasa_client import open_parser

    items = load_items(path)
    parser = open_parser()
    try:
        parses = [to_contract(parser.parse(item["text"])) for item in items]
    finally:
        parser.close()
    return score(items, parses)


def print_report(report: dict[str, LanguageScore], out=sys.stdout) -> None:
    print(f"{'lang':<5}{'items':>6}{'intent acc':>12}{'lang acc':>10}{'sym P':>8}{'sym R':>8}", file=out)
    for language in sorted(report):
        s = report[language]
        print(f"{language:<5}{s.items:>6}{s.intent_accuracy:>12.3f}{s.language_accuracy:>10.3f}"
              f"{s.symptom_precision:>8.3f}{s.symptom_recall:>8.3f}", file=out)
    for language in sorted(report):
        for text, gold, got in report[language].errors[:15]:
            print(f"  [{language}] {gold} → {got}: {text}", file=out)
